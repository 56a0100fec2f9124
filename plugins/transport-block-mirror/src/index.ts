import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, RecoveryStrategy, ReplicationTransport, type RequiredCommand } from '@tandem/core';
import { findPostgresBinDir } from '@tandem/plugin-resource-postgres';
import { WalTools } from '@tandem/plugin-transport-wal-mirror';
import { BlockMirrorTransport } from './block-mirror-transport.js';
import { blockMirrorOptions, type BlockMirrorOptions } from './options.js';
import { BlockMirrorTakeover } from './takeover-strategy.js';

export { BlockMirrorTransport, type Cluster } from './block-mirror-transport.js';
export { BlockMirrorTakeover } from './takeover-strategy.js';
export { blockMirrorOptions, fillNode, mdDeviceOf, walDirOf, backstoreOf, type BlockMirrorOptions, type BlockMirrorOptionsInput } from './options.js';
export { StandbySide, type StandbyView } from './standby-side.js';
export { PrimarySide, type MirrorState } from './primary-side.js';
export { scanWalEnd, stageRange, type WalEnd } from './wal-scan.js';
export { recordEnd, parseScanStop, parseRecordLine, type ScanStop } from './wal-end.js';
export { HostShell } from './host-shell.js';

function requiredCommands(options: BlockMirrorOptions): RequiredCommand[] {
  const bin = options.binDir ?? findPostgresBinDir();
  const at = (p: string): string => (bin === undefined ? p : `${bin}/${p}`);
  return [
    { file: 'targetcli', debianPackage: 'targetcli-fb', why: 'transport-block-mirror: the standby exports its WAL disk with LIO' },
    { file: 'iscsiadm', debianPackage: 'open-iscsi', why: "transport-block-mirror: the primary logs in to the standby's WAL disk" },
    { file: 'mdadm', debianPackage: 'mdadm', why: 'transport-block-mirror: the RAID-1 that holds pg_wal, and the read-only takeover' },
    { file: 'findmnt', debianPackage: 'util-linux', why: 'transport-block-mirror: how the mirror is mounted' },
    { file: at('pg_waldump'), debianPackage: 'postgresql', why: 'transport-block-mirror: where the WAL on the mirror ends' },
    { file: at('psql'), debianPackage: 'postgresql-client', why: "transport-block-mirror: the local server's replay and flush positions" },
  ];
}

function build(instance: { options: BlockMirrorOptions; localNode: import('@tandem/core').NodeInfo; nodes: readonly import('@tandem/core').NodeInfo[] }, runner: CommandRunner, clock: Clock): BlockMirrorTransport {
  const tools = new WalTools(runner, instance.options.binDir ?? findPostgresBinDir(), instance.options.osUser);
  return new BlockMirrorTransport(instance.options, runner, tools, { self: instance.localNode, nodes: instance.nodes }, clock);
}

/**
 * `transport-block-mirror`: as a transport, the mirror itself; as a recovery
 * strategy (listed before recovery-compensate), the takeover that hands the
 * in-flight WAL to compensation.
 */
export default definePlugin({
  id: 'transport-block-mirror',
  version: '0.1.0',
  description: "Replication transport: pg_wal on an mdadm RAID-1 of the primary's disk and the standby's disk over iSCSI; read-only takeover of the standby's copy",
  provides: ['ReplicationTransport', 'RecoveryStrategy'],
  options: blockMirrorOptions,
  nicRoles: ['storage'],
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ReplicationTransport).toDynamicValue((ctx) => build(instance, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock)));
      bind(RecoveryStrategy).toDynamicValue((ctx) => new BlockMirrorTakeover(build(instance, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock))));
    }),
});
