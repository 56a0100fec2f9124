import { Args, Flags } from '@oclif/core';
import { allNodeInfos, callWithDeadline, TandemError } from '@tandem/core';
import { requireMember } from '../await-primary.js';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { actingNode, composeAs, levelsFor } from '../local-composition.js';
import { requestDataRejoin, type DataRejoin } from '../rejoin-data.js';
import { safeLine } from '../safe-text.js';

export interface RejoinResult {
  readonly node: string;
  readonly unfenced: readonly string[];
  /** With --data: what the node's agent reported. */
  readonly data?: DataRejoin;
}

export default class Rejoin extends BaseCommand<typeof Rejoin> {
  static override summary = 'Let a fenced node back in as a replica: unfence it, so its agent can start as a replica of the current primary.';
  static override description = `A failed primary is never re-added automatically. After an operator has looked at it, rejoin undoes the fence (power on, re-registration) with every configured fencer that can unfence. Its agent then starts as a replica; resource plugins do the resource-specific part (a database rewinds or re-clones from the new primary) when the agent starts them. Refused while the node holds the lease.`;
  static override examples = [
    { description: 'Bring db1 back after repair', command: '<%= config.bin %> <%= command.id %> db1 -c /etc/tandem/tandem.yaml' },
    { description: 'Also rewind (or re-copy) its database from the primary, once its agent runs', command: '<%= config.bin %> <%= command.id %> db1 --data -c /etc/tandem/tandem.yaml' },
  ];
  static override args = { node: Args.string({ required: true, description: 'Node to rejoin' }) };
  static override flags = {
    ...clusterFlags,
    as: Flags.string({ summary: 'Compose the fencers as this node would (default: the first other node).' }),
    data: Flags.boolean({ default: false, summary: "Then have the node's agent rewind or re-copy its data from the primary (pg_rewind, else a base backup) and stream again; waits for its report." }),
    'data-timeout': Flags.integer({ default: 1_800_000, min: 1000, summary: 'Bound on the data rejoin, in ms (a base backup of a large database takes time).' }),
  };

  async run(): Promise<RejoinResult> {
    return withCluster(this.flags, this.logger, async (cluster) => {
      const nodes = Object.keys(cluster.config.nodes);
      const target = this.args.node;
      requireMember(nodes, target, 'NODE');
      const lease = await cluster.store.readLease();
      if (lease?.holder === target) throw new TandemError('refused', `${target} holds the primary lease: it is not fenced out`, { problems: [{ path: 'NODE', message: 'is the primary', fix: 'rejoin applies to a failed, fenced former primary' }] });
      const composition = await composeAs(cluster, actingNode(nodes, target, this.flags.as), this.config, this.logger);
      const node = allNodeInfos(cluster.config).find((n) => n.name === target);
      if (!node) throw new TandemError('usage', `${target} is not configured`);
      const unfenced: string[] = [];
      const failures: string[] = [];
      for (const f of levelsFor(composition, target).flat()) {
        const unfence = f.impl.unfence;
        if (unfence === undefined) continue;
        const o = await callWithDeadline(cluster.clock, f.timeoutMs ?? cluster.config.timing.fenceTimeoutMs, `unfence ${f.id}`, (ctx) => unfence.call(f.impl, node, lease?.epoch ?? 0, ctx));
        if (o.code === 'ok') unfenced.push(f.id);
        else failures.push(`${f.id}: ${o.code} (${o.reason})`);
      }
      const at = cluster.clock.wallMs();
      if (failures.length > 0) {
        await cluster.store.appendEvent({ atWallMs: at, node: 'operator', type: 'alert.rejoin-failed', message: `rejoin of ${target} failed: ${failures.join('; ')}` });
        throw new TandemError('failed', `could not unfence ${target}`, { problems: failures.map((f) => ({ path: 'fencing', message: f })) });
      }
      await cluster.store.appendEvent({ atWallMs: at, node: 'operator', type: 'admin.rejoin', message: `${target} unfenced (${unfenced.join(', ') || 'no fencer needed it'}); it may start as a replica` });
      this.log(`${safeLine(target)} may rejoin as a replica: unfenced by ${unfenced.map(safeLine).join(', ') || '(no fencer can unfence; nothing to undo)'}`);
      if (!this.flags.data) return { node: target, unfenced };
      const data = await requestDataRejoin(cluster.store, cluster.clock, target, this.flags['data-timeout']);
      if (!data.ok) throw new TandemError('failed', `${target} could not rejoin: ${data.reason}`, { problems: [{ path: 'NODE', message: data.reason, fix: 'fix the cause shown, then run `tandem rejoin --data` again; the old data is never deleted' }] });
      // The node's agent wrote this in an event message.
      this.log(safeLine(data.reason));
      return { node: target, unfenced, data };
    });
  }
}
