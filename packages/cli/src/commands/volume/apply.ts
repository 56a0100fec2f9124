import { Flags } from '@oclif/core';
import { callWithDeadline, SystemClock } from '@tandem/core';
import { BaseCommand } from '../../base-command.js';
import { confirmOrRefuse } from '../../confirm.js';
import { safeLine } from '../../safe-text.js';
import { nodeName, openVolume, outcomeError, targetFlags, volumeFlags } from '../../volume-context.js';

export interface VolumeApplyResult {
  readonly target: string;
  readonly created: boolean;
  readonly result: string;
  /** What the storage host's script printed. */
  readonly output?: string;
}

export default class VolumeApply extends BaseCommand<typeof VolumeApply> {
  static override summary = 'Run on this host what `tandem volume plan` prints: export a LUN (storage host) or log in and assemble the mirror (node).';
  static override description = `On a storage host (--array): runs its targetcli script; running it again changes nothing. On a node (--node, default this host): binds iSCSI to the storage NIC, logs in to both storage hosts and assembles the mirror identified by options.arrayUuid, then mounts it if configured. It never creates an array unless --create is given, and --create is refused when either LUN already carries an md superblock. Assembling from one member is refused unless that member recorded the other as failed, or options.allowDegradedTakeover is set.

Exit codes: 0 done, 1 a command failed, 5 a program is missing, 7 refused to protect data, 8 timed out, 10 not confirmed.`;
  static override examples = [
    { description: 'On storage host array1', command: '<%= config.bin %> <%= command.id %> --array array1 --yes -c /etc/tandem/tandem.yaml' },
    { description: 'Create the mirror once, on db1', command: '<%= config.bin %> <%= command.id %> --node db1 --create -c /etc/tandem/tandem.yaml' },
    { description: 'Assemble it on this node', command: '<%= config.bin %> <%= command.id %> --yes' },
  ];
  static override flags = {
    ...volumeFlags,
    ...targetFlags,
    create: Flags.boolean({ default: false, summary: 'Create the mirror (mdadm --create, then mkfs when a mount is configured); only on blank LUNs.' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Do not ask for confirmation.' }),
    'timeout-ms': Flags.integer({ default: 300_000, min: 1000, summary: 'Bound on the whole apply.' }),
  };

  async run(): Promise<VolumeApplyResult> {
    const { flags } = this;
    const v = await openVolume(flags, (config) => (flags.array === undefined ? nodeName(config, flags.node) : undefined), 'resolve');
    const target = flags.array === undefined ? { node: v.node! } : { array: flags.array };
    const name = 'node' in target ? `node ${target.node}` : `storage host ${target.array}`;
    const what = flags.create ? `Create ${v.options.mdName} (mdadm --create${v.options.mount ? ' and mkfs' : ''}) on ${name}` : `Set up ${v.instanceId} on ${name}`;
    await confirmOrRefuse(`${what}? Review \`tandem volume plan\` first.`, flags.yes);
    const o = await callWithDeadline(new SystemClock(), flags['timeout-ms'], `volume apply on ${name}`, (ctx) => v.admin.apply(target, flags.create, ctx));
    if (o.code !== 'ok') throw outcomeError(`volume apply on ${name}`, o);
    // A storage host's script says, step by step, what it created and what was already present.
    const output = typeof o.data === 'string' && o.data !== o.reason ? o.data.trimEnd() : undefined;
    // The script's output is multi-line; `log` escapes every control in it but newlines and tabs.
    if (output) this.log(output);
    this.log(safeLine(o.reason));
    return { target: name, created: flags.create, result: o.reason, ...(output ? { output } : {}) };
  }
}
