import { randomUUID } from 'node:crypto';
import { Flags } from '@oclif/core';
import { TandemError } from '@tandem/core';
import { awaitNewPrimary, requireMember } from '../await-primary.js';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { confirmOrRefuse } from '../confirm.js';
import { safeLine } from '../safe-text.js';

export interface FailoverResult {
  readonly to: string;
  readonly epoch: number;
  readonly durationMs: number;
}

export default class Failover extends BaseCommand<typeof Failover> {
  static override summary = 'Forced move of the primary role to a named node, for when the primary is gone or must be abandoned.';
  static override description = `The target fences the current primary (no fence, no promotion), compensates from the transports, then promotes. Asks for confirmation; --yes confirms from a script. --accept-data-loss lets the target promote even when the log mirror cannot be read, and the loss is reported in bytes.`;
  static override examples = [
    { description: 'Promote db2 now', command: '<%= config.bin %> <%= command.id %> --to db2 --yes -c /etc/tandem/tandem.yaml' },
    { description: 'Accept losing what only the dead primary had', command: '<%= config.bin %> <%= command.id %> --to db2 --accept-data-loss' },
  ];
  static override flags = {
    ...clusterFlags,
    to: Flags.string({ required: true, summary: 'Node to promote.' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Do not ask for confirmation.' }),
    'accept-data-loss': Flags.boolean({ default: false, summary: 'Promote even if acknowledged data cannot be recovered.' }),
    'timeout-ms': Flags.integer({ default: 120_000, min: 1000, summary: 'How long to wait for the new primary.' }),
  };

  async run(): Promise<FailoverResult> {
    return withCluster(this.flags, this.logger, async ({ config, store, clock }) => {
      const to = this.flags.to;
      requireMember(Object.keys(config.nodes), to, '--to');
      const [lease, members] = await Promise.all([store.readLease(), store.members()]);
      if (lease?.holder === to) throw new TandemError('usage', `${to} is already the primary`);
      if (!members.some((m) => m.node === to)) throw new TandemError('refused', `${to} sends no heartbeat: it cannot take over`, { problems: [{ path: '--to', message: 'no live agent', fix: 'start its agent first' }] });
      const loss = this.flags['accept-data-loss'] ? ' ACCEPTING DATA LOSS,' : '';
      await confirmOrRefuse(`Force ${to} to become primary,${loss} fencing ${lease?.holder ?? 'the old primary'}?`, this.flags.yes);
      const id = randomUUID();
      await store.updateSettings({ request: { id, kind: 'failover', target: to, ...(lease ? { from: lease.holder } : {}), acceptDataLoss: this.flags['accept-data-loss'], requestedAtWallMs: clock.wallMs() } });
      await store.appendEvent({ atWallMs: clock.wallMs(), node: 'operator', type: 'admin.failover', message: `forced failover to ${to} requested${loss}`, data: { id } });
      this.log(`failover to ${to} requested; waiting...`);
      try {
        const { lease: next, waitedMs } = await awaitNewPrimary(store, { from: lease?.holder, to, afterEpoch: lease?.epoch ?? 0, timeoutMs: this.flags['timeout-ms'] });
        this.log(`failover done: ${safeLine(next.holder)} is primary at epoch ${safeLine(next.epoch)} after ${waitedMs} ms`);
        return { to: next.holder, epoch: next.epoch, durationMs: waitedMs };
      } catch (error) {
        await store.completeRequest(id);
        throw error;
      }
    });
  }
}
