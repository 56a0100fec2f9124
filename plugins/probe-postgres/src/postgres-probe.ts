import type pg from 'pg';
import { ok, outcome, type CallContext, type Clock, type HealthProbe, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { classifyPgError } from './classify-pg-error.js';
import { createHeartbeatSql, LOGIN_SQL, upsertHeartbeatSql } from './heartbeat-sql.js';
import { runSession, type ServerNotice } from './pg-session.js';
import type { PostgresProbeOptions } from './postgres-probe-options.js';

const UNDEFINED_TABLE = '42P01';

/** A WARNING (or anything about synchronous replication) means the server's "success" is not one. */
function alarming(notices: readonly ServerNotice[]): ServerNotice | undefined {
  return notices.find((n) => n.severity === 'WARNING' || /synchronous replication/i.test(n.message));
}

/**
 * Can the agent log in to PostgreSQL on the target (`check: login`), or
 * commit a heartbeat row there (`check: write`)? One connection per check
 * with the `pg` client, closed on every path; the caller's signal is the
 * deadline and destroys the connection, never a server-side timeout.
 */
export class PostgresProbe implements HealthProbe {
  readonly dimension: string;
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly options: PostgresProbeOptions,
    private readonly clock: Clock,
    /** The node that runs this probe: its heartbeat row is keyed by this name. */
    private readonly probingNode: string,
  ) {
    this.dimension = options.dimension ?? (options.check === 'login' ? 'db-login' : 'write');
    this.defaultTimeoutMs = options.defaultTimeoutMs;
  }

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const host = this.options.address ?? target.nics[this.options.nic]?.address;
    if (!host) return outcome('config-error', `node ${target.name} has no ${this.options.nic} NIC to connect to; set options.address or add nodes.${target.name}.nics.${this.options.nic}`);
    const where = `${this.options.check} ${this.options.user}@${target.name} ${host}:${this.options.port}/${this.options.database}`;
    if (this.options.password && !this.options.password.resolved) {
      return outcome('config-error', `postgres ${where}: options.password (${this.options.password.describe()}) was not resolved; the agent reads it at start`);
    }
    if (ctx.signal.aborted) return outcome('timeout', `postgres ${where}: abandoned before connecting`);
    const started = this.clock.monotonicMs();
    const result = await runSession(this.clientConfig(host), ctx.signal, (client) => (this.options.check === 'login' ? this.login(client) : this.write(client)));
    const latencyMs = Math.max(0, this.clock.monotonicMs() - started);
    const warning = alarming(result.notices);
    if (result.kind === 'aborted') return outcome('timeout', `postgres ${where}: no answer within ${ctx.timeoutMs} ms; connection closed`);
    if (warning) return outcome('unknown', `postgres ${where}: the server answered with a ${warning.severity}, not counted as healthy: ${warning.message}`);
    if (result.kind === 'error') {
      const failure = classifyPgError(where, result.error);
      return outcome(failure.code, failure.reason);
    }
    return ok(`postgres ${where}: ${result.value} in ${Math.round(latencyMs)} ms`, { latencyMs });
  }

  private clientConfig(host: string): pg.ClientConfig {
    return {
      host,
      port: this.options.port,
      user: this.options.user,
      database: this.options.database,
      ...(this.options.password ? { password: this.options.password.reveal() } : {}),
      application_name: `tandem-probe-${this.options.check}`,
    };
  }

  private async login(client: pg.Client): Promise<string> {
    const result = await client.query<{ one: number; standby: boolean }>(LOGIN_SQL);
    return `logged in (${result.rows[0]?.standby ? 'standby' : 'primary'})`;
  }

  private async write(client: pg.Client): Promise<string> {
    try {
      await client.query(upsertHeartbeatSql(this.options.table), [this.probingNode]);
      return `heartbeat row committed`;
    } catch (error) {
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
    }
    await client.query(createHeartbeatSql(this.options.table));
    await client.query(upsertHeartbeatSql(this.options.table), [this.probingNode]);
    return `heartbeat table ${this.options.table} created and row committed`;
  }
}
