import { Args, Flags } from '@oclif/core';
import { allNodeInfos, runFencingLevels, TandemError } from '@tandem/core';
import { requireMember } from '../await-primary.js';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { confirmOrRefuse } from '../confirm.js';
import { actingNode, composeAs, levelsFor } from '../local-composition.js';
import { safeLine } from '../safe-text.js';

export interface FenceResult {
  readonly node: string;
  readonly epoch: number;
  readonly level: number;
  readonly verified: readonly string[];
}

export default class Fence extends BaseCommand<typeof Fence> {
  static override summary = 'Fence a node by hand through the configured fencing levels, and verify it.';
  static override description = `Runs the fencing levels from this host, the first level whose fencers all succeed wins, carrying the store's current epoch as the fencing token. Succeeds only when the effect is verified (power reads off, the reservation is taken). Asks for confirmation; --yes confirms from a script. Exit 1 when no level succeeded.`;
  static override examples = [{ description: 'Power off db1 through its BMC', command: '<%= config.bin %> <%= command.id %> db1 --yes -c /etc/tandem/tandem.yaml' }];
  static override args = { node: Args.string({ required: true, description: 'Node to fence' }) };
  static override flags = {
    ...clusterFlags,
    as: Flags.string({ summary: 'Compose the fencers as this node would (default: the first other node).' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Do not ask for confirmation.' }),
  };

  async run(): Promise<FenceResult> {
    return withCluster(this.flags, this.logger, async (cluster) => {
      const nodes = Object.keys(cluster.config.nodes);
      const target = this.args.node;
      requireMember(nodes, target, 'NODE');
      await confirmOrRefuse(`Fence ${target}? It will stop serving.`, this.flags.yes);
      const composition = await composeAs(cluster, actingNode(nodes, target, this.flags.as), this.config, this.logger);
      const epoch = await cluster.store.lastEpoch();
      const node = allNodeInfos(cluster.config).find((n) => n.name === target);
      if (!node) throw new TandemError('usage', `${target} is not configured`);
      const r = await runFencingLevels(cluster.clock, levelsFor(composition, target), { node, epoch, reason: 'operator request (tandem fence)' }, cluster.config.timing.fenceTimeoutMs);
      const at = cluster.clock.wallMs();
      if (!r.ok) {
        await cluster.store.appendEvent({ atWallMs: at, node: 'operator', type: 'alert.fence-failed', message: `manual fence of ${target} failed: ${r.reason}` });
        throw new TandemError('failed', `could not fence ${target}: ${r.reason}`);
      }
      const verified = r.proofs.map((p) => p.verified);
      await cluster.store.appendEvent({ atWallMs: at, node: 'operator', type: 'admin.fence', message: `${target} fenced by hand at epoch ${epoch} (level ${r.level})` });
      this.log(`${safeLine(target)} fenced at epoch ${epoch} by level ${r.level}: ${verified.map(safeLine).join('; ')}`);
      return { node: target, epoch, level: r.level, verified };
    });
  }
}
