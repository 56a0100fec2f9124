import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';

export default class Maintenance extends BaseCommand<typeof Maintenance> {
  static override summary = 'Pause (on) or resume (off) automatic failover cluster-wide.';
  static override description = 'In maintenance the agents keep renewing the lease and publishing heartbeats, but take no automatic action: no election, no fence, no promotion. A primary that loses its lease still stops writing.';
  static override examples = [
    { description: 'Before patching the primary', command: '<%= config.bin %> <%= command.id %> on -c /etc/tandem/tandem.yaml' },
    { description: 'Afterwards', command: '<%= config.bin %> <%= command.id %> off' },
  ];
  static override args = { mode: Args.string({ options: ['on', 'off'], required: true, description: 'on or off' }) };
  static override flags = { ...clusterFlags };

  async run(): Promise<{ maintenance: boolean }> {
    const on = this.args.mode === 'on';
    return withCluster(this.flags, this.logger, async ({ store, clock }) => {
      const settings = await store.updateSettings({ maintenance: on });
      await store.appendEvent({ atWallMs: clock.wallMs(), node: 'operator', type: on ? 'admin.maintenance-on' : 'admin.maintenance-off', message: `maintenance ${on ? 'on: automation paused' : 'off: automation resumed'}` });
      this.log(`maintenance is ${settings.maintenance ? 'on: automatic failover is paused' : 'off: automatic failover is active'}`);
      return { maintenance: settings.maintenance };
    });
  }
}
