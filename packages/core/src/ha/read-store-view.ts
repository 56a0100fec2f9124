import type { Clock } from '../ports/clock.js';

/** Cancels the deadline timer once the answer came; shared, as building an abort error per call is costly. */
const ANSWERED = Object.freeze({ answered: true });
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { StoreView } from './snapshot.js';

/** Race a store call against a deadline; a late or failed answer becomes a reason string. */
async function bounded<T>(clock: Clock, timeoutMs: number, what: string, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  const stop = new AbortController();
  const late = clock.sleep(timeoutMs, stop.signal).then(
    () => ({ ok: false as const, reason: `${what}: no answer within ${timeoutMs} ms` }),
    () => ({ ok: false as const, reason: 'cancelled' }),
  );
  const answer = call().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, reason: `${what}: ${error instanceof Error ? error.message : String(error)}` }),
  );
  const winner = await Promise.race([answer, late]);
  stop.abort(ANSWERED);
  return winner;
}

/**
 * Read what decide needs from the store, each call under `timeoutMs`. The
 * lease is read before the members: decide trusts a member's `replica`
 * heartbeat only because member records lapse no later than the lease they
 * were written before.
 */
export async function readStoreView(clock: Clock, store: CoordinationStore, timeoutMs: number): Promise<StoreView> {
  const lease = await bounded(clock, timeoutMs, 'read lease', () => store.readLease());
  if (!lease.ok) return { reachable: false, reason: lease.reason };
  const [members, settings] = await Promise.all([
    bounded(clock, timeoutMs, 'read members', () => store.members()),
    bounded(clock, timeoutMs, 'read settings', () => store.readSettings()),
  ]);
  if (!members.ok) return { reachable: false, reason: members.reason };
  if (!settings.ok) return { reachable: false, reason: settings.reason };
  // With no lease to show, whether any node ever held one decides whom an election must fence.
  if (lease.value === undefined) {
    const last = await bounded(clock, timeoutMs, 'read last epoch', () => store.lastEpoch());
    if (!last.ok) return { reachable: false, reason: last.reason };
    return { reachable: true, lease: undefined, lastEpoch: last.value, members: members.value, settings: settings.value };
  }
  return { reachable: true, lease: lease.value, members: members.value, settings: settings.value };
}
