import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, ReplicationTransport, type RequiredCommand } from '@tandem/core';
import { findPostgresBinDir } from '@tandem/plugin-resource-postgres';
import { walMirrorOptions, type WalMirrorOptions } from './options.js';
import { WalMirrorTransport } from './wal-mirror-transport.js';
import { WalTools } from './wal-tools.js';

export { WalMirrorTransport, mirrorInFlight } from './wal-mirror-transport.js';
export { walMirrorOptions, mirrorNameFor, slotFor, pidFileOf, logFileOf, type WalMirrorOptions, type WalMirrorOptionsInput } from './options.js';
export { WalTools, type LocalServer } from './wal-tools.js';
export { readMirrorEnd, listMirror, parseWaldumpEnd, withoutPageHeader, type MirrorListing, type Result } from './mirror-end.js';
export { parseLsn, formatLsn, positionOf, parseSegmentName, segmentFileName, type WalSegmentName } from './lsn.js';
export { receiverArgv, createSlotArgv, detachedArgv, runningReceiver } from './receiver-process.js';

function requiredCommands(options: WalMirrorOptions): RequiredCommand[] {
  const bin = options.binDir ?? findPostgresBinDir();
  const at = (p: string): string => (bin === undefined ? p : `${bin}/${p}`);
  return [
    { file: at('pg_receivewal'), debianPackage: 'postgresql', why: 'transport-wal-mirror: stream the primary\'s WAL into the mirror' },
    { file: at('pg_waldump'), debianPackage: 'postgresql', why: 'transport-wal-mirror: find where the mirrored WAL ends' },
    { file: at('psql'), debianPackage: 'postgresql-client', why: 'transport-wal-mirror: read the local standby\'s replay position' },
    { file: 'setpriv', debianPackage: 'util-linux', why: 'transport-wal-mirror: run pg_receivewal as options.osUser' },
    { file: 'setsid', debianPackage: 'util-linux', why: 'transport-wal-mirror: detach pg_receivewal from the agent' },
  ];
}

export default definePlugin({
  id: 'transport-wal-mirror',
  version: '0.1.0',
  description: 'Replication transport: pg_receivewal --synchronous on a standby host, a WAL mirror the primary waits for before acknowledging a commit',
  provides: ['ReplicationTransport'],
  options: walMirrorOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ReplicationTransport).toDynamicValue((ctx) => {
        const tools = new WalTools(ctx.get<CommandRunner>(CommandRunner), instance.options.binDir ?? findPostgresBinDir(), instance.options.osUser);
        return new WalMirrorTransport(instance.options, tools, { self: instance.localNode, nodes: instance.nodes }, ctx.get<Clock>(Clock));
      });
    }),
});
