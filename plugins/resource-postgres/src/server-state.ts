import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { outcome, type Outcome } from '@tandem/core';
import { parseInRecovery } from './parse.js';
import type { Deadline, PgTools } from './pg-tools.js';

/** What the agent knows about its server after `pg_ctl status` and, if it runs, one query. */
export type ServerState =
  | { readonly kind: 'stopped'; readonly why: string }
  | { readonly kind: 'running'; readonly pid: number | undefined; readonly role: 'primary' | 'replica' }
  /** The postmaster runs but did not answer the query (starting, stuck, full connections, auth broken). */
  | { readonly kind: 'unreachable'; readonly pid: number | undefined; readonly outcome: Outcome }
  | { readonly kind: 'error'; readonly outcome: Outcome };

export async function inspectServer(tools: PgTools, d: Deadline): Promise<ServerState> {
  const { dataDir } = tools.options;
  const status = await tools.status(d);
  switch (status.kind) {
    case 'stopped':
      return { kind: 'stopped', why: `no postmaster runs for ${dataDir}` };
    case 'no-data-dir':
      // A node whose data directory was never made (a standby still to be rejoined) is simply not running.
      if (!existsSync(dataDir)) return { kind: 'stopped', why: `data directory ${dataDir} does not exist (rejoin creates it)` };
      return { kind: 'error', outcome: outcome('config-error', `pg_ctl cannot use ${dataDir}: ${status.message}; check options.dataDir and options.osUser`) };
    case 'unknown':
      return { kind: 'error', outcome: outcome(status.code, status.message) };
    case 'running':
      break;
  }
  const q = await tools.query('select pg_is_in_recovery()', d);
  if (!q.ok) return { kind: 'unreachable', pid: status.pid, outcome: q.outcome };
  const inRecovery = parseInRecovery(q.stdout);
  if (inRecovery === undefined) return { kind: 'error', outcome: outcome('unknown', `pg_is_in_recovery() answered "${q.stdout.trim().slice(0, 80)}"`) };
  return { kind: 'running', pid: status.pid, role: inRecovery ? 'replica' : 'primary' };
}

/** Whether the data directory says it starts in standby mode; used when the server cannot be asked. */
export function hasStandbySignal(tools: PgTools): boolean {
  return existsSync(join(tools.options.dataDir, 'standby.signal'));
}
