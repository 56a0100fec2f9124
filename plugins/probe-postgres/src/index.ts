import { ContainerModule } from 'inversify';
import { Clock, definePlugin, HealthProbe } from '@tandem/core';
import { PostgresProbe } from './postgres-probe.js';
import { postgresProbeOptions } from './postgres-probe-options.js';

export { PostgresProbe } from './postgres-probe.js';
export { postgresProbeOptions, type PostgresProbeOptions, type PostgresProbeOptionsInput } from './postgres-probe-options.js';
export { classifyPgError, type PgFailure } from './classify-pg-error.js';
export { createHeartbeatSql, quoteTable, upsertHeartbeatSql } from './heartbeat-sql.js';

export default definePlugin({
  id: 'probe-postgres',
  version: '0.1.0',
  description: 'Health probe: PostgreSQL login (connect, authenticate, select) or a committed heartbeat write',
  provides: ['HealthProbe'],
  options: postgresProbeOptions,
  // No program to run: the pg client library speaks the protocol itself.
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(HealthProbe).toDynamicValue((ctx) => new PostgresProbe(instance.options, ctx.get<Clock>(Clock), instance.localNode.name));
    }),
});
