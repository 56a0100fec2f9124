import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, Logger, ResourceAgent, type RequiredCommand } from '@tandem/core';
import { findPostgresBinDir } from './bin-dir.js';
import { postgresAgentOptions, type PostgresAgentOptions } from './options.js';
import { PgTools } from './pg-tools.js';
import { PostgresAgent } from './postgres-agent.js';

export { PostgresAgent, type ClusterView } from './postgres-agent.js';
export { postgresAgentOptions, slotNameFor, nameForNode, logFileOf, type PostgresAgentOptions, type PostgresAgentOptionsInput } from './options.js';
export { rejoinAsReplica, type RejoinInput, type RejoinReport } from './rejoin-as-replica.js';
export { findPostgresBinDir, pickHighestMajor } from './bin-dir.js';
export { PgTools, commandFailure, deadlineOf, ownedDirArgv, type Deadline } from './pg-tools.js';
export { conninfo, conninfoValue, confValue, connectTimeoutS } from './conninfo.js';

function requiredCommands(options: PostgresAgentOptions): RequiredCommand[] {
  const bin = options.binDir ?? findPostgresBinDir();
  const tools = ['pg_ctl', 'psql', 'pg_rewind', 'pg_basebackup'].map((p) => ({
    file: bin === undefined ? p : `${bin}/${p}`,
    debianPackage: p === 'psql' ? 'postgresql-client' : 'postgresql',
    why: `resource-postgres: ${p === 'pg_ctl' ? 'start, stop and promote the server' : p === 'psql' ? 'monitor and replication slots' : 'rejoin an old primary'}`,
  }));
  return [...tools, { file: 'setpriv', debianPackage: 'util-linux', why: 'resource-postgres: run PostgreSQL programs as options.osUser' }];
}

export default definePlugin({
  id: 'resource-postgres',
  version: '0.1.0',
  description: 'Resource agent: a PostgreSQL server with primary/replica roles, replication slots and rejoin (pg_rewind or base backup)',
  provides: ['ResourceAgent'],
  options: postgresAgentOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ResourceAgent).toDynamicValue((ctx) => {
        const tools = new PgTools(instance.options, ctx.get<CommandRunner>(CommandRunner), instance.options.binDir ?? findPostgresBinDir());
        return new PostgresAgent(tools, { self: instance.localNode, nodes: instance.nodes }, ctx.get<Clock>(Clock), ctx.get<Logger>(Logger, { optional: true }));
      });
    }),
});
