import type { ContainerModule } from 'inversify';
import type { z } from 'zod';
import type { ContractName } from '../contracts/index.js';
import type { NicRole, NodeInfo } from '../contracts/node-info.js';

/** A program a plugin runs on the host, checked at start and by `tandem preflight`. */
export interface RequiredCommand {
  readonly file: string;
  /** Debian package that provides it, for the "not installed" message. */
  readonly debianPackage?: string;
  readonly why: string;
}

/** What a plugin's module factory receives: one configured instance. */
export interface PluginInstance<O> {
  /** The instance id from the config (`gw-ping`), unique in the cluster. */
  readonly id: string;
  /** The options after the plugin's schema validated them and applied defaults. */
  readonly options: O;
  /** The node this agent runs on. */
  readonly localNode: NodeInfo;
  /** Every node of the cluster, the local one included. */
  readonly nodes: readonly NodeInfo[];
}

/**
 * What a plugin package exports as its default export. The core imports a
 * plugin only when the config names it, validates the instance's options
 * with `options`, then loads `module(instance)` into a container of its own
 * (a child of the agent's, so ports like Clock and CommandRunner resolve)
 * and takes each contract in `provides` from it.
 */
export interface PluginManifest<S extends z.ZodType = z.ZodType> {
  /** Lower-case and dashed; matches `tandem.id` in the package's package.json. */
  readonly id: string;
  readonly version: string;
  /** One line for `tandem plugins`. */
  readonly description: string;
  readonly provides: readonly ContractName[];
  readonly options: S;
  /** NIC roles every node must have for this plugin to work. */
  readonly nicRoles?: readonly NicRole[];
  /** Programs the plugin runs, given its options. */
  requires?(options: z.output<S>): readonly RequiredCommand[];
  module(instance: PluginInstance<z.output<S>>): ContainerModule;
}

/** Identity function that gives a plugin author type inference on `options`. */
export function definePlugin<S extends z.ZodType>(manifest: PluginManifest<S>): PluginManifest<S> {
  return manifest;
}

export function isPluginManifest(value: unknown): value is PluginManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<PluginManifest>;
  return (
    typeof m.id === 'string' &&
    typeof m.version === 'string' &&
    Array.isArray(m.provides) &&
    typeof m.module === 'function' &&
    typeof (m.options as { safeParse?: unknown } | undefined)?.safeParse === 'function'
  );
}

/** Token under which an instance's validated options are bound in its container. */
export const PluginOptions: unique symbol = Symbol.for('tandem.PluginOptions');
/** Token for the `PluginInstance` itself (id, options, nodes). */
export const PluginInstanceToken: unique symbol = Symbol.for('tandem.PluginInstance');
/** The local node's `NodeInfo`, bound in the agent's root container. */
export const LocalNode: unique symbol = Symbol.for('tandem.LocalNode');
