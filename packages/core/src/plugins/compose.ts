import { Container, ContainerModule } from 'inversify';
import type { ContractName } from '../contracts/index.js';
import { Fencer } from '../contracts/fencer.js';
import { HealthProbe } from '../contracts/health-probe.js';
import type { NodeInfo } from '../contracts/node-info.js';
import { RecoveryStrategy } from '../contracts/recovery-strategy.js';
import { ReplicationTransport } from '../contracts/replication-transport.js';
import { ResourceAgent } from '../contracts/resource-agent.js';
import { allInstances } from '../config/cross-check.js';
import { issuesToProblems } from '../config/format-issues.js';
import { findSecrets, resolveSecrets } from '../config/secret.js';
import { allNodeInfos, resolveForNode } from '../config/resolve-node.js';
import type { ClusterConfig, PluginInstanceConfig } from '../config/schema.js';
import { TandemError, type Problem } from '../errors.js';
import type { PluginCatalog } from './catalog.js';
import { PluginInstanceToken, PluginOptions, type PluginManifest, type PluginInstance, type RequiredCommand } from './manifest.js';
import { Logger } from '../ports/logger.js';

const TOKENS = {
  HealthProbe,
  Fencer,
  ReplicationTransport,
  RecoveryStrategy,
  ResourceAgent,
} as const satisfies Record<ContractName, symbol>;

interface ContractTypes {
  HealthProbe: HealthProbe;
  Fencer: Fencer;
  ReplicationTransport: ReplicationTransport;
  RecoveryStrategy: RecoveryStrategy;
  ResourceAgent: ResourceAgent;
}

/** One configured plugin instance, ready to use. */
export interface Composed<T> {
  readonly id: string;
  readonly plugin: string;
  readonly configPath: string;
  /** The instance's timeout from the config, if set; otherwise the plugin's default applies. */
  readonly timeoutMs: number | undefined;
  readonly impl: T;
}

/** Everything the config composes for one node. */
export interface Composition {
  readonly node: NodeInfo;
  readonly probes: readonly Composed<HealthProbe>[];
  /** Fencing levels as configured for this node (its own overrides applied). */
  readonly fencingLevels: readonly (readonly Composed<Fencer>[])[];
  /**
   * Fencing levels to use against each *target* node, with that target's
   * overrides applied: how a node is fenced (its BMC vendor, its cipher suite)
   * is a property of the node being fenced, not of the one fencing it.
   */
  readonly fencingByTarget: ReadonlyMap<string, readonly (readonly Composed<Fencer>[])[]>;
  readonly transports: readonly Composed<ReplicationTransport>[];
  readonly recovery: readonly Composed<RecoveryStrategy>[];
  readonly resources: readonly Composed<ResourceAgent>[];
  readonly requiredCommands: readonly (RequiredCommand & { readonly configPath: string })[];
}

/** Validated instance options, by config path: what `config validate` checks without building anything. */
export interface ValidatedInstance {
  readonly configPath: string;
  readonly instance: PluginInstanceConfig;
  readonly manifest: PluginManifest;
  readonly options: unknown;
}

const SECTION_CONTRACT: ReadonlyArray<[RegExp, ContractName]> = [
  [/^probes\./, 'HealthProbe'],
  [/^fencing\./, 'Fencer'],
  [/^transports\[/, 'ReplicationTransport'],
  [/^recovery\[/, 'RecoveryStrategy'],
  [/^resources\[/, 'ResourceAgent'],
];

function contractFor(configPath: string): ContractName {
  const hit = SECTION_CONTRACT.find(([re]) => re.test(configPath));
  if (!hit) throw new Error(`no contract for config path ${configPath}`);
  return hit[1];
}

/**
 * Load and validate every plugin instance the config names, as seen from
 * `nodeName` (its overrides applied). Collects every problem before
 * throwing, so an operator fixes a config in one pass.
 */
export async function validateInstances(config: ClusterConfig, nodeName: string, catalog: PluginCatalog): Promise<ValidatedInstance[]> {
  const resolved = resolveForNode(config, nodeName);
  const problems: Problem[] = [];
  const out: ValidatedInstance[] = [];
  const manifests = new Map<string, PluginManifest>();
  for (const { path, instance } of allInstances(resolved)) {
    let manifest = manifests.get(instance.plugin);
    if (!manifest) {
      try {
        manifest = await catalog.load(instance.plugin);
        manifests.set(instance.plugin, manifest);
      } catch (error) {
        if (!(error instanceof TandemError)) throw error;
        problems.push({ path: `${path}.plugin`, message: error.message, ...(error.problems[0] ? { fix: `${error.problems[0].message}; ${error.problems[0].fix ?? ''}`.trim() } : {}) });
        continue;
      }
    }
    const contract = contractFor(path);
    if (!manifest.provides.includes(contract)) {
      problems.push({ path: `${path}.plugin`, message: `plugin "${manifest.id}" does not provide ${contract} (it provides ${manifest.provides.join(', ')})`, fix: `use a ${contract} plugin here` });
      continue;
    }
    const parsed = manifest.options.safeParse(instance.options, { reportInput: true });
    if (!parsed.success) {
      problems.push(...issuesToProblems(parsed.error.issues, [...pathKeys(path), 'options']).map((p) => ({ ...p, path: overrideHint(p.path, config, nodeName, instance.id) })));
      continue;
    }
    for (const nic of manifest.nicRoles ?? []) {
      for (const [n, node] of Object.entries(config.nodes)) {
        if (!node.nics[nic]) problems.push({ path: `nodes.${n}.nics.${nic}`, message: `is required by ${path} (plugin ${manifest.id})`, fix: `add the ${nic} NIC's address` });
      }
    }
    out.push({ configPath: path, instance, manifest, options: parsed.data });
  }
  if (problems.length > 0) throw new TandemError('pluginError', `plugin configuration has ${problems.length} problem(s) for node ${nodeName}`, { problems: dedupe(problems) });
  return out;
}

/** A secret file readable by group or others, logged once at composition when `root` has a Logger (`strictSecrets: true` refuses it instead). */
function warnSecrets(root: Container, warnings: readonly { path: string; message: string }[]): void {
  if (warnings.length === 0 || !root.isBound(Logger)) return;
  const logger = root.get<Logger>(Logger);
  for (const w of warnings) logger.warn({ configPath: w.path }, w.message);
}

/** Build every instance for `nodeName` into its own child of `root`, and collect the contracts. */
export async function compose(config: ClusterConfig, nodeName: string, catalog: PluginCatalog, root: Container, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Composition> {
  const validated = await validateInstances(config, nodeName, catalog);
  const nodes = allNodeInfos(config);
  const localNode = nodes.find((n) => n.name === nodeName);
  if (!localNode) throw new TandemError('usage', `node "${nodeName}" is not in the config`);
  const secrets = resolveSecrets(
    validated.flatMap((v) => findSecrets(v.options, `${v.configPath}.options`)),
    env,
    config.strictSecrets,
  );
  if (secrets.problems.length > 0) throw new TandemError('invalidConfig', 'plugin secrets cannot be read', { problems: secrets.problems });
  warnSecrets(root, [...secrets.warnings, ...findSecrets(config).flatMap(({ path, secret }) => (secret.warning ? [{ path, message: secret.warning }] : []))]);

  const build = <C extends ContractName>(v: ValidatedInstance, contract: C): Composed<ContractTypes[C]> => {
    const instance: PluginInstance<unknown> = { id: v.instance.id, options: v.options, localNode, nodes };
    const child = new Container({ parent: root });
    child.load(
      new ContainerModule(({ bind }) => {
        bind(PluginOptions).toConstantValue(v.options);
        bind(PluginInstanceToken).toConstantValue(instance);
      }),
    );
    try {
      child.load(v.manifest.module(instance));
      const impl = child.get<ContractTypes[C]>(TOKENS[contract]);
      return { id: v.instance.id, plugin: v.manifest.id, configPath: v.configPath, timeoutMs: v.instance.timeoutMs, impl };
    } catch (error) {
      throw new TandemError('pluginError', `plugin "${v.manifest.id}" at ${v.configPath} failed to start: ${(error as Error).message}`, {
        problems: [{ path: v.configPath, message: `its module did not provide ${contract}`, fix: 'check the plugin version and its README' }],
        cause: error,
      });
    }
  };
  const of = <C extends ContractName>(re: RegExp, c: C): Composed<ContractTypes[C]>[] => validated.filter((v) => re.test(v.configPath)).map((v) => build(v, c));
  const levels = config.fencing.levels.map((_, l) => of(new RegExp(`^fencing\\.levels\\[${l}\\]`), 'Fencer'));
  const fencingByTarget = new Map<string, (readonly Composed<Fencer>[])[]>();
  for (const target of nodes) {
    if (target.name === nodeName) continue;
    const seen = await validateInstances(config, target.name, catalog);
    for (const v of seen) {
      for (const { path, secret } of findSecrets(v.options, `${v.configPath}.options`)) {
        const failure = secret.resolve(env, { strict: config.strictSecrets });
        if (failure) throw new TandemError('invalidConfig', `cannot fence ${target.name}: ${path}: ${failure}`, { problems: [{ path: `nodes.${target.name}.overrides`, message: failure }] });
      }
    }
    fencingByTarget.set(
      target.name,
      config.fencing.levels.map((_, l) => seen.filter((v) => v.configPath.startsWith(`fencing.levels[${l}]`)).map((v) => build(v, 'Fencer'))),
    );
  }
  return {
    node: localNode,
    probes: of(/^probes\./, 'HealthProbe'),
    fencingLevels: levels,
    fencingByTarget,
    transports: of(/^transports\[/, 'ReplicationTransport'),
    recovery: of(/^recovery\[/, 'RecoveryStrategy'),
    resources: of(/^resources\[/, 'ResourceAgent'),
    requiredCommands: validated.flatMap((v) => (v.manifest.requires?.(v.options) ?? []).map((r) => ({ ...r, configPath: v.configPath }))),
  };
}

function pathKeys(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? '')));
}

/** When a node's override changed the options, say so: the bad value may live under nodes.X.overrides. */
function overrideHint(path: string, config: ClusterConfig, nodeName: string, id: string): string {
  return config.nodes[nodeName]?.overrides[id] ? `${path} (with nodes.${nodeName}.overrides.${id})` : path;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
