import type { Clock } from '../ports/clock.js';
import {
  StoreUnavailableError,
  type ClusterIdentity,
  type ClusterSettings,
  type CoordinationStore,
  type Lease,
  type LeaseResult,
  type Member,
  type MemberRecord,
  type NewEvent,
  type PrimaryRecord,
  type StoredEvent,
} from '../ports/coordination-store.js';
import { DEFAULT_SETTINGS, mergeSettings } from './merge-settings.js';
import { DEFAULT_EVENTS_MAX, assertEventFits, assertMemberRecordFits, assertTtlMs, eventsPageSize } from './store-limits.js';

export interface MemoryCoordinationStoreOptions {
  /** Expiry is judged on `clock.monotonicMs()`; give it a SimulatedClock to run under simulated time. */
  readonly clock: Clock;
  /** Events kept before the oldest are dropped. */
  readonly eventsMax?: number;
}

interface HeldLease {
  readonly holder: string;
  /** The holder process's token (see CoordinationStore); never shown to readers. */
  readonly token: string;
  readonly epoch: number;
  readonly expiresAtMs: number;
}

interface HeldMember {
  readonly record: MemberRecord;
  readonly expiresAtMs: number;
}

/**
 * A coordination store in one process's memory: the single-process quick
 * start and the simulation's store. Every method does its whole work before
 * its first await, so each call is atomic with respect to the others, as a
 * compare-and-set on a real store is. Values are copied in and out, so a
 * caller can never change the store's state by mutating what it got back.
 */
export class MemoryCoordinationStore implements CoordinationStore {
  private readonly clock: Clock;
  private readonly eventsMax: number;
  private lease: HeldLease | undefined;
  private highestEpoch = 0;
  private primary: PrimaryRecord | undefined;
  private identity: ClusterIdentity | undefined;
  private readonly memberships = new Map<string, HeldMember>();
  private settings: ClusterSettings = DEFAULT_SETTINGS;
  // Oldest first; ids are a counter so they stay increasing after the oldest are dropped.
  private readonly events: StoredEvent[] = [];
  private nextEventSeq = 1;
  private closed = false;

  constructor(options: MemoryCoordinationStoreOptions) {
    this.clock = options.clock;
    this.eventsMax = options.eventsMax ?? DEFAULT_EVENTS_MAX;
    if (!Number.isInteger(this.eventsMax) || this.eventsMax < 1) {
      throw new RangeError(`eventsMax must be a positive integer, got ${String(options.eventsMax)}`);
    }
  }

  async acquireLease(node: string, ttlMs: number, token = ''): Promise<LeaseResult> {
    this.assertOpen();
    assertTtlMs(ttlMs, 'acquireLease');
    const current = this.liveLease();
    if (current !== undefined && (current.holder !== node || current.token !== token)) {
      return current.holder === node ? { acquired: false, current: this.view(current), heldByOtherProcess: true } : { acquired: false, current: this.view(current) };
    }
    const epoch = current?.epoch ?? this.highestEpoch + 1;
    this.highestEpoch = Math.max(this.highestEpoch, epoch);
    this.lease = { holder: node, token, epoch, expiresAtMs: this.now() + ttlMs };
    return { acquired: true, lease: this.view(this.lease) };
  }

  async renewLease(node: string, epoch: number, ttlMs: number, token = ''): Promise<LeaseResult> {
    this.assertOpen();
    assertTtlMs(ttlMs, 'renewLease');
    const current = this.liveLease();
    if (current === undefined || current.holder !== node || current.token !== token || current.epoch !== epoch) {
      return { acquired: false, current: current === undefined ? undefined : this.view(current) };
    }
    this.lease = { ...current, expiresAtMs: this.now() + ttlMs };
    return { acquired: true, lease: this.view(this.lease) };
  }

  async releaseLease(node: string, epoch: number, token = ''): Promise<boolean> {
    this.assertOpen();
    const current = this.liveLease();
    if (current === undefined || current.holder !== node || current.token !== token || current.epoch !== epoch) return false;
    this.lease = undefined;
    return true;
  }

  async readLease(): Promise<Lease | undefined> {
    this.assertOpen();
    const current = this.liveLease();
    return current === undefined ? undefined : this.view(current);
  }

  async lastEpoch(): Promise<number> {
    this.assertOpen();
    return this.highestEpoch;
  }

  async readIdentity(): Promise<ClusterIdentity | undefined> {
    this.assertOpen();
    return this.identity === undefined ? undefined : { ...this.identity };
  }

  async initIdentity(identity: ClusterIdentity): Promise<ClusterIdentity> {
    this.assertOpen();
    this.identity ??= { clusterId: identity.clusterId, cluster: identity.cluster, createdAtWallMs: identity.createdAtWallMs };
    return { ...this.identity };
  }

  async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    this.assertOpen();
    const lease = this.liveLease();
    if (lease === undefined || lease.holder !== record.node || lease.epoch !== record.epoch) return false;
    if (this.primary !== undefined && this.primary.epoch >= record.epoch) return false;
    this.primary = { node: record.node, epoch: record.epoch, atWallMs: record.atWallMs, ...(record.soleCopy === true ? { soleCopy: true } : {}) };
    return true;
  }

  async markSoleCopy(node: string, epoch: number, soleCopy: boolean): Promise<boolean> {
    this.assertOpen();
    const lease = this.liveLease();
    if (lease === undefined || lease.holder !== node || lease.epoch !== epoch) return false;
    if (this.primary === undefined || this.primary.node !== node || this.primary.epoch !== epoch) return false;
    this.primary = { node, epoch, atWallMs: this.primary.atWallMs, ...(soleCopy ? { soleCopy: true } : {}) };
    return true;
  }

  async lastPrimary(): Promise<PrimaryRecord | undefined> {
    this.assertOpen();
    return this.primary === undefined ? undefined : { ...this.primary };
  }

  async heartbeat(record: MemberRecord, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtlMs(ttlMs, 'heartbeat');
    assertMemberRecordFits(JSON.stringify(record), record.node);
    this.memberships.set(record.node, { record: structuredClone(record), expiresAtMs: this.now() + ttlMs });
  }

  async members(): Promise<readonly Member[]> {
    this.assertOpen();
    const now = this.now();
    const live: Member[] = [];
    for (const [node, held] of this.memberships) {
      // Lapsed members are dropped as they are seen, so the map stays bounded by the live cluster size.
      if (held.expiresAtMs <= now) this.memberships.delete(node);
      else live.push({ ...structuredClone(held.record), remainingMs: held.expiresAtMs - now });
    }
    return live.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  async readSettings(): Promise<ClusterSettings> {
    this.assertOpen();
    return structuredClone(this.settings);
  }

  async updateSettings(patch: Partial<ClusterSettings>): Promise<ClusterSettings> {
    this.assertOpen();
    this.settings = mergeSettings(this.settings, structuredClone(patch));
    return structuredClone(this.settings);
  }

  async completeRequest(id: string): Promise<boolean> {
    this.assertOpen();
    if (this.settings.request?.id !== id) return false;
    this.settings = mergeSettings(this.settings, { request: undefined });
    return true;
  }

  async appendEvent(event: NewEvent): Promise<StoredEvent> {
    this.assertOpen();
    assertEventFits(event);
    const stored: StoredEvent = { ...structuredClone(event), id: String(this.nextEventSeq++) };
    this.events.push(stored);
    if (this.events.length > this.eventsMax) this.events.splice(0, this.events.length - this.eventsMax);
    return structuredClone(stored);
  }

  async readEvents(options: { readonly after?: string; readonly limit?: number } = {}): Promise<readonly StoredEvent[]> {
    this.assertOpen();
    const afterSeq = options.after === undefined ? 0 : Number(options.after);
    if (!Number.isFinite(afterSeq)) throw new RangeError(`readEvents: "after" is not an event id: ${options.after ?? ''}`);
    const size = eventsPageSize(options.limit);
    const page: StoredEvent[] = [];
    for (const event of this.events) {
      if (page.length >= size) break;
      if (Number(event.id) > afterSeq) page.push(structuredClone(event));
    }
    return page;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private now(): number {
    return this.clock.monotonicMs();
  }

  private liveLease(): HeldLease | undefined {
    if (this.lease !== undefined && this.lease.expiresAtMs <= this.now()) this.lease = undefined;
    return this.lease;
  }

  private view(lease: HeldLease): Lease {
    return { holder: lease.holder, epoch: lease.epoch, remainingMs: lease.expiresAtMs - this.now() };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('memory store is closed');
  }
}
