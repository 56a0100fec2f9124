import { Flags } from '@oclif/core';
import { callWithDeadline, SystemClock } from '@tandem/core';
import type { VolumeStatus } from '@tandem/plugin-volume-iscsi-mirror';
import { BaseCommand } from '../../base-command.js';
import { pause } from '../../poll.js';
import { nodeName, openVolume, outcomeError, renderVolumeStatus, volumeFlags } from '../../volume-context.js';

const READ_TIMEOUT_MS = 30_000;

export default class VolumeStatusCommand extends BaseCommand<typeof VolumeStatusCommand> {
  static override summary = "Show the mirror on this node: its state, each storage host's member, and resync progress.";
  static override description = `Reads /proc/mdstat, mdadm --detail and the iSCSI sessions on this host; changes nothing. States: clean, degraded (serving on one member), recovering or resyncing (with a progress bar), inactive, absent (not assembled here). Members: in-sync, rebuilding, faulty, spare, missing. With --watch it redraws until no resync or recovery is running (bounded by --max-wait-ms).`;
  static override examples = [
    { description: 'Once', command: '<%= config.bin %> <%= command.id %> -c /etc/tandem/tandem.yaml' },
    { description: 'Follow a resync after an array came back', command: '<%= config.bin %> <%= command.id %> --watch' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json | jq -r .state' },
  ];
  static override flags = {
    ...volumeFlags,
    node: Flags.string({ char: 'n', summary: "This node's name in the config (default: the host name).", env: 'TANDEM_NODE' }),
    watch: Flags.boolean({ char: 'w', default: false, summary: 'Redraw while a resync or recovery runs.' }),
    'interval-ms': Flags.integer({ default: 2000, min: 200, summary: 'Time between views with --watch.' }),
    'max-wait-ms': Flags.integer({ default: 86_400_000, min: 1000, summary: 'Stop watching after this long even if the resync still runs.' }),
  };

  async run(): Promise<VolumeStatus> {
    const { flags } = this;
    const v = await openVolume(flags, (config) => nodeName(config, flags.node), 'skip');
    const clock = new SystemClock();
    const deadline = clock.monotonicMs() + flags['max-wait-ms'];
    for (;;) {
      const o = await callWithDeadline(clock, READ_TIMEOUT_MS, 'volume status', (ctx) => v.admin.status(v.node!, ctx));
      if (o.code !== 'ok' || !o.data) throw outcomeError(`cannot read ${v.instanceId} on ${v.node!}`, o);
      const syncing = o.data.state === 'recovering' || o.data.state === 'resyncing';
      if (flags.watch && !this.jsonEnabled() && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      this.log(renderVolumeStatus(o.data));
      if (!flags.watch || !syncing || clock.monotonicMs() >= deadline) return o.data;
      await pause(flags['interval-ms']);
    }
  }
}
