import { randomUUID } from 'node:crypto';
import { Flags } from '@oclif/core';
import { TandemError } from '@tandem/core';
import { awaitNewPrimary, requireMember } from '../await-primary.js';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { safeLine } from '../safe-text.js';

export interface SwitchoverResult {
  readonly from: string;
  readonly to: string;
  readonly epoch: number;
  readonly durationMs: number;
}

export default class Switchover extends BaseCommand<typeof Switchover> {
  static override summary = 'Planned, zero-loss move of the primary role: demote, wait until the target has everything, promote.';
  static override description = `Posts a switchover request in the store and waits for it. The primary stops writing and releases its lease; the target catches up with the transports and takes the lease at a new epoch. Refused in maintenance mode (exit 7). If nothing happens within --timeout-ms the request is withdrawn and the command exits 8.`;
  static override examples = [
    { description: 'Move the primary to db2', command: '<%= config.bin %> <%= command.id %> --to db2 -c /etc/tandem/tandem.yaml' },
    { description: 'Let the cluster pick the best replica', command: '<%= config.bin %> <%= command.id %>' },
  ];
  static override flags = {
    ...clusterFlags,
    to: Flags.string({ summary: 'Node to promote (default: any healthy replica).' }),
    'timeout-ms': Flags.integer({ default: 60_000, min: 1000, summary: 'How long to wait for the new primary.' }),
  };

  async run(): Promise<SwitchoverResult> {
    return withCluster(this.flags, this.logger, async ({ config, store, clock }) => {
      const [lease, settings, members] = await Promise.all([store.readLease(), store.readSettings(), store.members()]);
      if (!lease) throw new TandemError('refused', 'no node holds the primary lease: nothing to switch over', { problems: [{ path: 'lease', message: 'empty', fix: 'wait for an election, or use `tandem failover --to`' }] });
      if (settings.maintenance) throw new TandemError('refused', 'maintenance mode is on', { problems: [{ path: 'maintenance', message: 'on', fix: 'run `tandem maintenance off` first' }] });
      const to = this.flags.to;
      if (to !== undefined) {
        requireMember(Object.keys(config.nodes), to, '--to');
        if (to === lease.holder) throw new TandemError('usage', `${to} is already the primary`);
        if (!members.some((m) => m.node === to)) throw new TandemError('refused', `${to} sends no heartbeat: it cannot take over`, { problems: [{ path: '--to', message: 'no live agent', fix: 'start its agent, or pick another node' }] });
      }
      const id = randomUUID();
      await store.updateSettings({ request: { id, kind: 'switchover', from: lease.holder, ...(to ? { target: to } : {}), requestedAtWallMs: clock.wallMs() } });
      await store.appendEvent({ atWallMs: clock.wallMs(), node: 'operator', type: 'admin.switchover', message: `switchover requested from ${lease.holder}${to ? ` to ${to}` : ''}`, data: { id } });
      this.log(`switchover requested: ${safeLine(lease.holder)} -> ${safeLine(to ?? 'best replica')} (epoch ${safeLine(lease.epoch)}); waiting...`);
      try {
        const { lease: next, waitedMs } = await awaitNewPrimary(store, { from: lease.holder, to, afterEpoch: lease.epoch, timeoutMs: this.flags['timeout-ms'] });
        this.log(`switchover done: ${safeLine(next.holder)} is primary at epoch ${safeLine(next.epoch)} after ${waitedMs} ms`);
        return { from: lease.holder, to: next.holder, epoch: next.epoch, durationMs: waitedMs };
      } catch (error) {
        await store.completeRequest(id);
        throw error;
      }
    });
  }
}
