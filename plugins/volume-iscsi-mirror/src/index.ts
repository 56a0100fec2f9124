import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, ResourceAgent, type RequiredCommand } from '@tandem/core';
import { MirrorVolume } from './mirror-volume.js';
import { volumeOptions, type VolumeOptions } from './options.js';
import { VolumeAgent } from './volume-agent.js';

export { volumeOptions, storageArray, initiatorIqnFor, mdDevice, ISCSI_IFACE, type VolumeOptions, type VolumeOptionsInput, type StorageArray } from './options.js';
export { storageHostScript, targetScriptInput, backstoreName, type TargetScriptInput } from './target-script.js';
export { iscsi, mdadm, portalOf } from './argv.js';
export { parseIscsiSessions, type IscsiSession } from './parse-sessions.js';
export { parseExport, parseExamine, parseDetail, type MemberSuperblock, type ArrayDetail, type DetailMember } from './parse-mdadm.js';
export { parseMdstat, type MdstatArray, type MdstatMember, type MdstatProgress } from './parse-mdstat.js';
export { decideAssembly, type AssemblyDecision, type ExaminedMember, type DecisionPolicy } from './assembly-decision.js';
export { volumeStatus, describeStatus, type VolumeStatus, type VolumeState, type VolumeMember, type MemberState, type VolumeProgress } from './volume-status.js';
export { MirrorVolume, type Observation, type MirrorVolumeDeps } from './mirror-volume.js';
export { VolumeAgent, type VolumeResourceState } from './volume-agent.js';
export { VolumeAdmin, type VolumeTarget, type VolumePlan, type VolumeAdminDeps } from './volume-admin.js';
export { FakeMirrorHost, type FakeLun } from './fake-mirror-host.js';

function requiredCommands(options: VolumeOptions): RequiredCommand[] {
  return [
    { file: 'iscsiadm', debianPackage: 'open-iscsi', why: 'volume-iscsi-mirror: log in to the storage hosts over the storage NIC' },
    { file: 'iscsid', debianPackage: 'open-iscsi', why: 'volume-iscsi-mirror: the iSCSI initiator daemon' },
    { file: 'mdadm', debianPackage: 'mdadm', why: 'volume-iscsi-mirror: assemble, re-add and stop the RAID-1 of the two LUNs' },
    ...(options.mount ? [{ file: 'mount', debianPackage: 'mount', why: `volume-iscsi-mirror: mount ${options.mount.path}` }] : []),
  ];
}

/** The `volume-iscsi-mirror` plugin: a RAID-1 (mdadm) of two iSCSI LUNs, one per storage host. */
export default definePlugin({
  id: 'volume-iscsi-mirror',
  version: '0.1.0',
  description: 'Resource agent: a mirrored volume, an mdadm RAID-1 of two iSCSI LUNs exported by two storage hosts with LIO (targetcli)',
  provides: ['ResourceAgent'],
  options: volumeOptions,
  nicRoles: ['storage'],
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ResourceAgent).toDynamicValue((ctx) => {
        const chap = instance.options.chap;
        const volume = new MirrorVolume(instance.options, instance.localNode, {
          runner: ctx.get<CommandRunner>(CommandRunner),
          clock: ctx.get<Clock>(Clock),
          // The core resolved the secret before building the plugin; reveal it only when logging in.
          chapPassword: () => chap?.password.reveal(),
        });
        return new VolumeAgent(volume);
      });
    }),
});
