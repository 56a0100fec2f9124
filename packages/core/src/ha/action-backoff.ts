import type { ActionKind, ActionResult } from './actions.js';
import type { Decision } from './decide-context.js';

/** Consecutive failures of one kind of action and when the last one ended (monotonic ms). */
export interface FailureStreak {
  readonly count: number;
  readonly lastAtMs: number;
}

export type FailureStreaks = Readonly<Partial<Record<ActionKind, FailureStreak>>>;

/**
 * Pause after the n-th failure in a row: `floorMs * 2^(n-1)` up to `maxMs`.
 * Safety demotes and renewals keep a short floor and cap (stopping writes and
 * keeping the lease must be retried soon); the rest start at half a second and
 * wait up to ten. Kinds not listed have bounds of their own (fence and
 * compensate attempts per election, follow and rejoin retry times, the
 * monitor's confirmations).
 */
const BOUNDS: Readonly<Partial<Record<ActionKind, { readonly floorMs: number; readonly maxMs: number }>>> = {
  demote: { floorMs: 200, maxMs: 2000 },
  'renew-lease': { floorMs: 200, maxMs: 1000 },
  'acquire-lease': { floorMs: 500, maxMs: 10_000 },
  'release-lease': { floorMs: 500, maxMs: 10_000 },
  heartbeat: { floorMs: 500, maxMs: 5000 },
  'complete-request': { floorMs: 500, maxMs: 10_000 },
  'check-gateway': { floorMs: 500, maxMs: 5000 },
  'check-eligibility': { floorMs: 500, maxMs: 10_000 },
  restart: { floorMs: 1000, maxMs: 10_000 },
};

/** Fold one result into the streaks: a failure lengthens its kind's streak, a success ends it. Pure. */
export function recordStreak(streaks: FailureStreaks, r: ActionResult): FailureStreaks {
  const kind = r.action.kind;
  if (BOUNDS[kind] === undefined) return streaks;
  if (r.code === 'ok') {
    if (streaks[kind] === undefined) return streaks;
    const { [kind]: _, ...rest } = streaks;
    return rest;
  }
  return { ...streaks, [kind]: { count: (streaks[kind]?.count ?? 0) + 1, lastAtMs: r.finishedAtMs } };
}

/**
 * How long `kind` still waits, 0 when it may run. The jitter (up to +20 %)
 * comes from the node's name and the count, so agents that failed together
 * do not retry in step, and the simulation still replays exactly.
 */
export function backoffLeftMs(node: string, streaks: FailureStreaks, kind: ActionKind, nowMs: number): number {
  const s = streaks[kind];
  const b = BOUNDS[kind];
  if (s === undefined || b === undefined) return 0;
  const base = Math.min(b.maxMs, b.floorMs * 2 ** Math.min(s.count - 1, 16));
  const delay = Math.round(base * (1 + jitterOf(`${node}:${kind}:${s.count}`) * 0.2));
  return Math.max(0, s.lastAtMs + delay - nowMs);
}

/** Holds back the actions still backing off, and says so in the summary. */
export function withBackoff(node: string, streaks: FailureStreaks, nowMs: number, d: Decision): Decision {
  const held = d.actions.filter((a) => backoffLeftMs(node, streaks, a.kind, nowMs) > 0);
  if (held.length === 0) return d;
  const notes = held.map((a) => `${a.kind} backing off ${backoffLeftMs(node, streaks, a.kind, nowMs)} ms after ${streaks[a.kind]?.count ?? 0} failure(s)`);
  return { ...d, actions: d.actions.filter((a) => !held.includes(a)), summary: `${d.summary}; ${notes.join('; ')}` };
}

/** A number in [0, 1) from a string (FNV-1a): deterministic, no Math.random. */
function jitterOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}
