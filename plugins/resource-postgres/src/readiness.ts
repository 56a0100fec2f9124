import { existsSync } from 'node:fs';
import { ok, outcome, type Outcome, type PromotionReadiness } from '@tandem/core';
import { parseLsn, positionOf } from './lsn.js';
import type { Deadline, PgTools } from './pg-tools.js';

/**
 * One query for the role and the positions that matter for it. CASE keeps
 * each function to the role it works in: pg_current_wal_lsn() raises during
 * recovery. On a standby, the receive LSN can be ahead of replay; a promotion
 * replays what was received before it ends recovery, so the greater counts.
 */
export const READINESS_SQL =
  'select pg_is_in_recovery(), ' +
  'case when pg_is_in_recovery() then pg_last_wal_replay_lsn() end, ' +
  'case when pg_is_in_recovery() then pg_last_wal_receive_lsn() end, ' +
  'case when not pg_is_in_recovery() then pg_current_wal_lsn() end';

export type ReadinessRow =
  | { readonly role: 'replica'; readonly replay: number | undefined; readonly receive: number | undefined }
  | { readonly role: 'primary'; readonly current: number | undefined };

/** psql -At output of READINESS_SQL: `t|0/3000060|0/3000148|` or `f|||0/3000060`; undefined if it is neither. */
export function parseReadinessRow(stdout: string): ReadinessRow | undefined {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  const [inRecovery, replay = '', receive = '', current = ''] = line.trim().split('|');
  if (inRecovery === 't') return { role: 'replica', replay: parseLsn(replay), receive: parseLsn(receive) };
  if (inRecovery === 'f') return { role: 'primary', current: parseLsn(current) };
  return undefined;
}

/** What `tandem rejoin` an operator runs when a stopped server may be a former primary. */
function stoppedReason(self: string, why: string): string {
  return `PostgreSQL is stopped (${why}); a former primary needs \`tandem rejoin ${self} --data\``;
}

/**
 * Could this server be promoted now: `ok` with its position when it runs and
 * answers (a standby's replay or receive LSN, a primary's current LSN),
 * `not-running` when stopped, `failed` when it runs but cannot be asked.
 * Read-only: pg_ctl status and one psql, both under the deadline.
 */
export async function readinessOf(tools: PgTools, self: string, d: Deadline): Promise<Outcome<PromotionReadiness>> {
  const { dataDir } = tools.options;
  const status = await tools.status(d);
  switch (status.kind) {
    case 'stopped':
      return outcome('not-running', stoppedReason(self, `no postmaster runs for ${dataDir}`));
    case 'no-data-dir':
      if (!existsSync(dataDir)) return outcome('not-running', stoppedReason(self, `data directory ${dataDir} does not exist`));
      return outcome('config-error', `pg_ctl cannot use ${dataDir}: ${status.message}; check options.dataDir and options.osUser`);
    case 'unknown':
      return outcome(status.code, status.message);
    case 'running':
      break;
  }
  const pid = status.pid ?? '?';
  const q = await tools.query(READINESS_SQL, d);
  if (!q.ok) {
    const { code, reason } = q.outcome;
    if (code === 'timeout' || code === 'not-installed') return outcome(code, reason);
    return outcome('failed', `PostgreSQL pid ${pid} runs but cannot be asked for its position: ${reason}`);
  }
  const row = parseReadinessRow(q.stdout);
  if (row === undefined) return outcome('failed', `PostgreSQL pid ${pid} answered the position query with "${q.stdout.trim().slice(0, 80)}"`);
  if (row.role === 'primary') {
    if (row.current === undefined) return outcome('failed', `PostgreSQL pid ${pid} runs as primary but pg_current_wal_lsn() gave no position`);
    const position = positionOf(row.current);
    return ok(`PostgreSQL pid ${pid} runs as primary at ${position.label}`, { position, servesAsPrimary: true });
  }
  const offsets = [row.replay, row.receive].filter((o): o is number => o !== undefined);
  if (offsets.length === 0) return outcome('failed', `PostgreSQL pid ${pid} runs as a standby but reports no replay or receive position yet`);
  const position = positionOf(Math.max(...offsets));
  const which = row.receive !== undefined && row.receive > (row.replay ?? -1) ? 'received' : 'replayed';
  return ok(`PostgreSQL pid ${pid} runs as a standby, ${which} up to ${position.label}`, { position });
}
