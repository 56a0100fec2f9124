import { composeLocal } from '@tandem/agent';
import { ExecaCommandRunner, TandemError, type Composed, type Composition, type Fencer, type Logger } from '@tandem/core';
import type { Config } from '@oclif/core';
import type { ClusterContext } from './cluster-context.js';
import { requireMember } from './await-primary.js';
import { discoverPlugins } from './plugin-discovery.js';

/** Compose the plugins as node `as` would, to run a fencer by hand. */
export async function composeAs(cluster: ClusterContext, as: string, oclif: Config, logger: Logger): Promise<Composition> {
  requireMember(Object.keys(cluster.config.nodes), as, '--as');
  const catalog = await discoverPlugins(oclif);
  return composeLocal(cluster.config, as, catalog, { clock: cluster.clock, runner: new ExecaCommandRunner(), logger, store: cluster.store });
}

/** The node to act as: the flag, else the first configured node that is not the target. */
export function actingNode(nodes: readonly string[], target: string, as: string | undefined): string {
  const pick = as ?? nodes.find((n) => n !== target);
  if (pick === undefined) throw new TandemError('usage', 'a one-node cluster has no other node to fence from');
  return pick;
}

export function levelsFor(composition: Composition, target: string): readonly (readonly Composed<Fencer>[])[] {
  return composition.fencingByTarget.get(target) ?? composition.fencingLevels;
}
