import { Flags } from '@oclif/core';
import type { VolumePlan } from '@tandem/plugin-volume-iscsi-mirror';
import { BaseCommand } from '../../base-command.js';
import { nodeName, openVolume, outcomeError, targetFlags, volumeFlags } from '../../volume-context.js';

export default class VolumePlanCommand extends BaseCommand<typeof VolumePlanCommand> {
  static override summary = 'Print the exact targetcli, iscsiadm and mdadm commands for a node or a storage host, without running anything.';
  static override description = `For a storage host (--array): the idempotent targetcli script that exports its LUN on its storage address only, with an ACL per cluster node and SCSI-3 persistent reservations on; \`tandem volume apply --array\` runs exactly this script. For a node (--node, default this host): the commands \`tandem volume apply\` runs on a host where nothing is set up yet (iface bound to the storage NIC, logins, examine, assemble, mount); disks show as <array1-disk> because their names are known only after login. Secrets never appear: the CHAP password is shown by reference.`;
  static override examples = [
    { description: "The storage host array1's script, to review and then run there", command: '<%= config.bin %> <%= command.id %> --array array1 -c /etc/tandem/tandem.yaml' },
    { description: 'What taking the volume over on db2 runs', command: '<%= config.bin %> <%= command.id %> --node db2 -c /etc/tandem/tandem.yaml' },
    { description: 'Creating the mirror the first time', command: '<%= config.bin %> <%= command.id %> --node db1 --create --json | jq -r .script' },
  ];
  static override flags = {
    ...volumeFlags,
    ...targetFlags,
    create: Flags.boolean({ default: false, summary: 'Plan the one-time creation of the mirror (mdadm --create) instead of assembling it.' }),
  };

  async run(): Promise<VolumePlan> {
    const { flags } = this;
    const v = await openVolume(flags, (config) => (flags.array === undefined ? nodeName(config, flags.node) : undefined), 'skip');
    const target = flags.array === undefined ? { node: v.node! } : { array: flags.array };
    const planned = await v.admin.plan(target, flags.create);
    if (planned.code !== 'ok' || !planned.data) throw outcomeError(`cannot plan ${v.instanceId}`, planned);
    this.log(planned.data.script);
    return planned.data;
  }
}
