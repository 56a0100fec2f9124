import { withDeadline } from '../call.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { StoreView } from './snapshot.js';
import { distrust, type StoreExpectation } from './store-trust.js';

/**
 * Read what decide needs from the store, each call under `timeoutMs`. The
 * lease is read before the members: decide trusts a member's `replica`
 * heartbeat only because member records lapse no later than the lease they
 * were written before.
 */
export async function readStoreView(clock: Clock, store: CoordinationStore, timeoutMs: number, expect?: StoreExpectation): Promise<StoreView> {
  const view = await readView(clock, store, timeoutMs);
  if (expect === undefined || !view.reachable) return view;
  const identity = await withDeadline(clock, timeoutMs, 'read cluster identity', () => store.readIdentity());
  if (!identity.ok) return { reachable: false, reason: identity.reason };
  const why = distrust(view, identity.value, expect);
  return why === undefined ? { ...view, clusterId: identity.value?.clusterId } : { reachable: false, reason: why, untrusted: true };
}

async function readView(clock: Clock, store: CoordinationStore, timeoutMs: number): Promise<StoreView> {
  const lease = await withDeadline(clock, timeoutMs, 'read lease', () => store.readLease());
  if (!lease.ok) return { reachable: false, reason: lease.reason };
  const [members, settings, primary] = await Promise.all([
    withDeadline(clock, timeoutMs, 'read members', () => store.members()),
    withDeadline(clock, timeoutMs, 'read settings', () => store.readSettings()),
    withDeadline(clock, timeoutMs, 'read last primary', () => store.lastPrimary()),
  ]);
  if (!members.ok) return { reachable: false, reason: members.reason };
  if (!settings.ok) return { reachable: false, reason: settings.reason };
  if (!primary.ok) return { reachable: false, reason: primary.reason };
  const lastPrimary = primary.value === undefined ? {} : { lastPrimary: primary.value };
  // With no lease to show, whether any node ever held one decides whom an election must fence.
  if (lease.value === undefined) {
    const last = await withDeadline(clock, timeoutMs, 'read last epoch', () => store.lastEpoch());
    if (!last.ok) return { reachable: false, reason: last.reason };
    return { reachable: true, lease: undefined, lastEpoch: last.value, members: members.value, settings: settings.value, ...lastPrimary };
  }
  return { reachable: true, lease: lease.value, members: members.value, settings: settings.value, ...lastPrimary };
}
