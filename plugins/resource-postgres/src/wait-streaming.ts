import { ok, outcome, type Clock, type Outcome } from '@tandem/core';
import { parseWalReceiver } from './parse.js';
import type { Deadline, PgTools } from './pg-tools.js';

const POLL_MS = 250;

/** Poll pg_stat_wal_receiver until its status is `streaming`, within `limitMs` and the deadline. */
export async function waitStreaming(tools: PgTools, clock: Clock, d: Deadline, limitMs: number): Promise<Outcome> {
  const endMs = clock.monotonicMs() + Math.min(limitMs, d.remainingMs());
  let last = 'no WAL receiver yet';
  for (;;) {
    const q = await tools.query('select status, sender_host, sender_port, slot_name from pg_stat_wal_receiver', d);
    if (q.ok) {
      const row = parseWalReceiver(q.stdout);
      if (row?.status === 'streaming') return ok(`streaming from ${row.senderHost}:${row.senderPort ?? '?'} on slot ${row.slotName || '(none)'}`);
      last = row === undefined ? 'no WAL receiver yet' : `WAL receiver is ${row.status}`;
    } else {
      last = q.outcome.reason;
    }
    if (d.signal?.aborted) return outcome('timeout', `the caller gave up while waiting to stream (${last})`);
    if (clock.monotonicMs() >= endMs) return outcome('failed', `not streaming after ${limitMs} ms: ${last}; see the server log`);
    await clock.sleep(POLL_MS, d.signal).catch(() => undefined);
  }
}
