import type { NodeInfo } from '@tandem/core';
import { nameForNode } from './options.js';
import type { Deadline, PgTools, QueryResult } from './pg-tools.js';

/** How the agent manages synchronous_standby_names (the `syncStandbys` option). */
export interface SyncStandbyPolicy {
  /** application_name of each peer's synchronous standby, `{node}` filled in. */
  readonly name: string;
  readonly afterPromote: 'accept-writes' | 'wait';
}

/** The names the primary on `self` waits for: one per peer, the pattern filled in. */
export function peerStandbyNames(policy: SyncStandbyPolicy, self: NodeInfo, nodes: readonly NodeInfo[]): string[] {
  return nodes.filter((n) => n.name !== self.name).map((n) => nameForNode(policy.name, n.name));
}

/** `ANY 1 (a, b)`: a commit waits for whichever peer's standby flushes first. */
export function armedValue(names: readonly string[]): string {
  return names.length === 0 ? '' : `ANY 1 (${names.map((n) => `"${n}"`).join(', ')})`;
}

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** ALTER SYSTEM then reload: the setting outlives a restart and wins over postgresql.conf. */
async function setNames(tools: PgTools, value: string, d: Deadline): Promise<QueryResult> {
  const altered = await tools.query(`alter system set synchronous_standby_names = ${literal(value)}`, d, undefined, false);
  if (!altered.ok) return altered;
  return tools.query('select pg_reload_conf()', d, undefined, false);
}

/**
 * Before `pg_ctl promote`: no peer's standby can be streaming from this
 * server yet (it is still a replica), so a strict setting would hold every
 * commit after promotion until a peer is rejoined. `accept-writes` clears
 * the list (commits are acknowledged with this one copy, as a lone primary's
 * are); `wait` arms it. Either way the choice is made before the first
 * client can write. ALTER SYSTEM works during recovery: it only writes
 * postgresql.auto.conf.
 */
export async function setBeforePromote(tools: PgTools, policy: SyncStandbyPolicy, names: readonly string[], d: Deadline): Promise<{ readonly ok: boolean; readonly note: string }> {
  const value = policy.afterPromote === 'accept-writes' ? '' : armedValue(names);
  const r = await setNames(tools, value, d);
  if (!r.ok) return { ok: false, note: `could not set synchronous_standby_names before promotion: ${r.outcome.reason}` };
  return {
    ok: true,
    note: value === '' ? `synchronous replication off until a standby of ${names.join(', ') || 'no peer'} streams (commits are acknowledged with one copy meanwhile)` : `commits wait for ${value}`,
  };
}

export type SyncGuardResult =
  | { readonly kind: 'armed'; readonly value: string }
  | { readonly kind: 'degraded'; readonly waitingFor: readonly string[] }
  | { readonly kind: 'rearmed'; readonly value: string; readonly streaming: readonly string[] }
  | { readonly kind: 'error'; readonly reason: string };

/**
 * On a primary's monitor: when synchronous replication is off (after a
 * promotion with `accept-writes`) and a peer's standby has caught up
 * (`pg_stat_replication.state = 'streaming'`, which PostgreSQL reports only
 * after catch-up), turn it back on. It never turns it off: losing the
 * standby while armed holds commits, which is the zero-loss promise.
 */
export async function rearmIfStreaming(tools: PgTools, names: readonly string[], d: Deadline): Promise<SyncGuardResult> {
  if (names.length === 0) return { kind: 'armed', value: '' };
  const list = names.map(literal).join(', ');
  const sql = `select current_setting('synchronous_standby_names') || '|' || coalesce((select string_agg(distinct application_name, ',') from pg_stat_replication where state = 'streaming' and application_name in (${list})), '')`;
  const q = await tools.query(sql, d);
  if (!q.ok) return { kind: 'error', reason: `cannot read synchronous replication state: ${q.outcome.reason}` };
  const line = q.stdout.trim();
  const bar = line.lastIndexOf('|');
  const current = line.slice(0, bar).trim();
  const streaming = line.slice(bar + 1).split(',').filter((s) => s !== '');
  if (current !== '') return { kind: 'armed', value: current };
  if (streaming.length === 0) return { kind: 'degraded', waitingFor: names };
  const value = armedValue(names);
  const r = await setNames(tools, value, d);
  if (!r.ok) return { kind: 'error', reason: `${streaming.join(', ')} streams but synchronous replication could not be turned back on: ${r.outcome.reason}` };
  return { kind: 'rearmed', value, streaming };
}
