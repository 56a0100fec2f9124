import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, Fencer, ResourceAgent, definePlugin, type RequiredCommand } from '@tandem/core';
import { scsiPrOptions, type ScsiPrOptions } from './options.js';
import { KeyScheme } from './pr-key.js';
import { ScsiPrClaimAgent } from './scsi-pr-claim-agent.js';
import { ScsiPrFencer } from './scsi-pr-fencer.js';

export { ScsiPrFencer } from './scsi-pr-fencer.js';
export { ScsiPrClaimAgent } from './scsi-pr-claim-agent.js';
export { scsiPrOptions, deviceSpec, type ScsiPrOptions, type ScsiPrOptionsInput, type DeviceSpec } from './options.js';
export { KeyScheme, encodeKey, decodeKey, formatKey, hashNodeId, EPOCH_MAX, type DecodedKey } from './pr-key.js';
export { parseReadKeys, parseReadReservation, TYPE_NAMES, type ReadKeys, type ReadReservation } from './sg-persist-output.js';
export { sgPersistArgs, sgPersistSpec, SG_EXIT, type PrRequest } from './sg-persist-command.js';
export { parseSessionDisks, type AttachedLun } from './iscsi-sessions.js';
export { claimDevice, type ClaimGoal, type DeviceClaim } from './claim.js';
export { PrCall, classifySgPersist } from './pr-call.js';

function requiredCommands(options: ScsiPrOptions): RequiredCommand[] {
  const commands: RequiredCommand[] = [{ file: 'sg_persist', debianPackage: 'sg3-utils', why: 'fence-scsi-pr: reads and changes the persistent reservations of the shared LUNs' }];
  if (options.devices.some((d) => typeof d !== 'string')) {
    commands.push({ file: 'iscsiadm', debianPackage: 'open-iscsi', why: 'fence-scsi-pr: finds the disk of each { targetIqn, lun } in the logged-in sessions' });
  }
  return commands;
}

/** The `fence-scsi-pr` plugin: SCSI-3 persistent reservations on shared LUNs, keys made of node id and lease epoch. */
const fenceScsiPr = definePlugin({
  id: 'fence-scsi-pr',
  version: '0.1.0',
  description: 'Fence by SCSI-3 persistent reservation on shared LUNs (sg_persist); keys carry the node and the lease epoch',
  // Fencer under fencing.levels; ResourceAgent (first in the group) so a promotion without a fence also takes the reservation.
  provides: ['Fencer', 'ResourceAgent'],
  options: scsiPrOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      const scheme = new KeyScheme(
        instance.nodes.map((n) => n.name),
        instance.options.nodeIds,
      );
      bind(Fencer).toDynamicValue((ctx) => new ScsiPrFencer(ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock), instance.options, scheme, instance.localNode));
      bind(ResourceAgent).toDynamicValue((ctx) => new ScsiPrClaimAgent(ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock), instance.options, scheme, instance.localNode));
    }),
});

export default fenceScsiPr;
