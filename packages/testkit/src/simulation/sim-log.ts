import type { Segment } from './history.js';

/** One write in a database's log. Replication copies the object, so two logs hold the same write when they hold the same object. */
export interface LogEntry {
  readonly epoch: number;
  readonly pos: number;
  readonly by: string;
}

/** A WAL mirror: the first `upTo` entries of `src` (a primary's log, shared, never changed below its length). */
export interface Mirror {
  readonly src: readonly LogEntry[];
  readonly upTo: number;
}

/** Whether `a` is a prefix of the first `len` entries of `b`. */
export function isPrefix(a: readonly LogEntry[], b: readonly LogEntry[], len: number = b.length): boolean {
  if (a.length > len) return false;
  // Logs share entry objects from a common prefix on; comparing from the end finds a divergence soonest.
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The WAL mirror once its node follows a primary with log `src`: what it
 * holds stays as long as it agrees with `src` (the mirror keeps its files;
 * a new primary that has not written yet lacks nothing the mirror shows).
 * Only a mirror that disagrees with the new primary starts over from the
 * node's own log.
 */
export function mirrorFollowing(m: Mirror, log: readonly LogEntry[], src: readonly LogEntry[]): Mirror {
  const upTo = Math.max(m.upTo, log.length);
  if (m.src === src) return { src, upTo };
  const held = m.src.slice(0, m.upTo);
  if (isPrefix(held, src)) return { src, upTo };
  if (isPrefix(src, held) && isPrefix(log, held)) return m; // it holds more than the new primary: keep it until that writes
  return { src, upTo: log.length };
}

export function segmentsOf(log: readonly LogEntry[], from = 0, to = log.length): Segment[] {
  const out: [number, string, number, number][] = [];
  for (let i = from; i < to; i++) {
    const e = log[i];
    if (e === undefined) break;
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === e.epoch && last[1] === e.by && last[3] === e.pos - 1) last[3] = e.pos;
    else out.push([e.epoch, e.by, e.pos, e.pos]);
  }
  return out;
}
