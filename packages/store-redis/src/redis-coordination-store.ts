import {
  DEFAULT_EVENTS_MAX,
  SkippedRecords,
  StoreUnavailableError,
  assertEventFits,
  assertMemberRecordFits,
  SystemClock,
  assertTtlMs,
  eventsPageSize,
  type Clock,
  type ClusterSettings,
  type CoordinationStore,
  type Lease,
  type LeaseResult,
  type Logger,
  type Member,
  type MemberRecord,
  type NewEvent,
  type PrimaryRecord,
  type SkippedRecord,
  type ClusterIdentity,
  type StoredEvent,
} from '@tandem/core';
import { Redis } from 'ioredis';
import { redisOptions, type RedisConnectionSettings } from './redis-connection-options.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import {
  leaseResultFrom,
  parseEvents,
  parseLeaseReply,
  parseMembers,
  parseIdentityReply,
  parsePrimaryReply,
  parseRecordPrimaryReply,
  parseSettings,
  settingsFromHash,
} from './redis-replies.js';
import * as lua from './redis-scripts.js';
import { watchConnection, type ConnectionWatch } from './watch-connection.js';

export interface RedisCoordinationStoreOptions {
  readonly connection: RedisConnectionSettings;
  /** Prefix of every key; lets several clusters share one Redis. Default `tandem:`. */
  readonly keyPrefix?: string;
  /**
   * Replicas that must acknowledge a lease or primary-record write (WAIT); fewer within the wait means
   * "not acquired" for a lease and a rejection for recordPrimary. Default 0.
   */
  readonly minReplicaAcks?: number;
  /** Events kept in the stream; the oldest are trimmed. */
  readonly eventsMax?: number;
  /** Every call resolves or rejects within this (timing.storeTimeoutMs). Default 1000. */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

const SCRIPTS = {
  tandemAcquireLease: [lua.ACQUIRE_LEASE, 2],
  tandemRenewLease: [lua.RENEW_LEASE, 1],
  tandemReleaseLease: [lua.RELEASE_LEASE, 1],
  tandemReadLease: [lua.READ_LEASE, 1],
  tandemRecordPrimary: [lua.RECORD_PRIMARY, 2],
  tandemMarkSoleCopy: [lua.MARK_SOLE_COPY, 2],
  tandemInitIdentity: [lua.INIT_IDENTITY, 1],
  tandemHeartbeat: [lua.HEARTBEAT, 2],
  tandemListMembers: [lua.LIST_MEMBERS, 1],
  tandemUpdateSettings: [lua.UPDATE_SETTINGS, 1],
  tandemCompleteRequest: [lua.COMPLETE_REQUEST, 1],
} as const;

/**
 * The coordination store on Redis (standalone or behind Sentinel). Lease,
 * heartbeat and settings changes are Lua scripts, so each compare-and-set is
 * atomic on the server; expiry is the server's key TTL, never a comparison
 * of host clocks. Every call settles within `timeoutMs`: an unreachable or
 * frozen Redis gives a StoreUnavailableError, never a hang.
 */
export class RedisCoordinationStore implements CoordinationStore {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;
  private readonly timeoutMs: number;
  private readonly minReplicaAcks: number;
  private readonly eventsMax: number;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly watch: ConnectionWatch;
  private readonly skipped = new SkippedRecords();
  private readonly skips = { skipped: (key: string, reason: string) => this.skipped.note(key, reason), parsed: (key: string) => this.skipped.clear(key) };
  private closed = false;

  constructor(options: RedisCoordinationStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.minReplicaAcks = options.minReplicaAcks ?? 0;
    this.eventsMax = options.eventsMax ?? DEFAULT_EVENTS_MAX;
    if (!Number.isInteger(this.eventsMax) || this.eventsMax < 1) throw new RangeError(`eventsMax must be a positive integer, got ${String(options.eventsMax)}`);
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1) throw new RangeError(`timeoutMs must be a positive integer, got ${String(options.timeoutMs)}`);
    this.keys = redisKeys(options.keyPrefix ?? 'tandem:');
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger;
    this.redis = new Redis(redisOptions(options.connection, this.timeoutMs));
    for (const [name, [source, numberOfKeys]] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { lua: source, numberOfKeys });
    this.watch = watchConnection(this.redis, this.logger);
  }

  async acquireLease(node: string, ttlMs: number, token = ''): Promise<LeaseResult> {
    assertTtlMs(ttlMs, 'acquireLease');
    return this.call('acquireLease', async () => {
      const result = leaseResultFrom(await this.script('tandemAcquireLease')(this.keys.lease, this.keys.epoch, node, ttlMs, token));
      return this.confirmReplicated('acquireLease', result);
    });
  }

  async renewLease(node: string, epoch: number, ttlMs: number, token = ''): Promise<LeaseResult> {
    assertTtlMs(ttlMs, 'renewLease');
    return this.call('renewLease', async () => {
      const result = leaseResultFrom(await this.script('tandemRenewLease')(this.keys.lease, node, epoch, ttlMs, token));
      return this.confirmReplicated('renewLease', result);
    });
  }

  async releaseLease(node: string, epoch: number, token = ''): Promise<boolean> {
    return this.call('releaseLease', async () => (await this.script('tandemReleaseLease')(this.keys.lease, node, epoch, token)) === 1);
  }

  async readLease(): Promise<Lease | undefined> {
    return this.call('readLease', async () => parseLeaseReply(await this.script('tandemReadLease')(this.keys.lease)).lease);
  }

  async lastEpoch(): Promise<number> {
    return this.call('lastEpoch', async () => Number((await this.redis.get(this.keys.epoch)) ?? 0));
  }

  async readIdentity(): Promise<ClusterIdentity | undefined> {
    return this.call('readIdentity', async () => parseIdentityReply(await this.redis.hmget(this.keys.identity, 'cluster_id', 'cluster', 'created_at_wall_ms')));
  }

  async initIdentity(identity: ClusterIdentity): Promise<ClusterIdentity> {
    return this.call('initIdentity', async () => {
      const stored = parseIdentityReply(await this.script('tandemInitIdentity')(this.keys.identity, identity.clusterId, identity.cluster, identity.createdAtWallMs));
      if (stored === undefined) throw new StoreUnavailableError(`redis store: ${this.keys.identity} is empty right after initIdentity`);
      if (stored.clusterId !== identity.clusterId || (await this.replicated('initIdentity'))) return stored;
      throw new StoreUnavailableError(`redis store: the cluster identity was not acknowledged by ${this.minReplicaAcks} replica(s); it may or may not survive a failover`);
    });
  }

  async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    assertPrimaryRecord(record);
    return this.call('recordPrimary', async () => {
      const written = parseRecordPrimaryReply(await this.script('tandemRecordPrimary')(this.keys.primary, this.keys.lease, record.node, record.epoch, record.atWallMs, record.soleCopy === true ? 1 : 0));
      if (!written || (await this.replicated('recordPrimary'))) return written;
      // Unlike a lease there is no TTL to undo this: the record is on the master and may or may not survive a failover.
      throw new StoreUnavailableError(
        `redis store: recordPrimary at epoch ${record.epoch} was not acknowledged by ${this.minReplicaAcks} replica(s); it may or may not survive a failover`,
      );
    });
  }

  async markSoleCopy(node: string, epoch: number, soleCopy: boolean): Promise<boolean> {
    return this.call('markSoleCopy', async () => {
      const written = parseRecordPrimaryReply(await this.script('tandemMarkSoleCopy')(this.keys.primary, this.keys.lease, node, epoch, soleCopy ? 1 : 0));
      if (!written || (await this.replicated('markSoleCopy'))) return written;
      // Unacknowledged by the replicas: the caller must not act as if it were durable (no promotion on it).
      throw new StoreUnavailableError(`redis store: markSoleCopy at epoch ${epoch} was not acknowledged by ${this.minReplicaAcks} replica(s)`);
    });
  }

  async lastPrimary(): Promise<PrimaryRecord | undefined> {
    return this.call('lastPrimary', async () => parsePrimaryReply(await this.redis.hmget(this.keys.primary, 'node', 'epoch', 'at_wall_ms', 'sole_copy')));
  }

  async heartbeat(record: MemberRecord, ttlMs: number): Promise<void> {
    assertTtlMs(ttlMs, 'heartbeat');
    const json = JSON.stringify(record);
    assertMemberRecordFits(json, record.node);
    await this.call('heartbeat', () => this.script('tandemHeartbeat')(this.keys.memberPrefix + record.node, this.keys.memberIndex, record.node, json, ttlMs));
  }

  /** A member key that does not parse, or claims another node than its key, is skipped and noted (see takeSkippedRecords). */
  async members(): Promise<readonly Member[]> {
    return this.call('members', async () =>
      parseMembers(await this.script('tandemListMembers')(this.keys.memberIndex, this.keys.memberPrefix), (node) => this.keys.memberPrefix + node, this.skips),
    );
  }

  takeSkippedRecords(): readonly SkippedRecord[] {
    return this.skipped.take();
  }

  async readSettings(): Promise<ClusterSettings> {
    return this.call('readSettings', async () => settingsFromHash(await this.redis.hgetall(this.keys.settings)));
  }

  async updateSettings(patch: Partial<ClusterSettings>): Promise<ClusterSettings> {
    const maintenance = patch.maintenance === undefined ? '' : patch.maintenance ? '1' : '0';
    const action = !('request' in patch) ? 'keep' : patch.request === undefined ? 'clear' : 'set';
    const requestJson = patch.request === undefined ? '' : JSON.stringify(patch.request);
    const requestId = patch.request?.id ?? '';
    return this.call('updateSettings', async () =>
      parseSettings(await this.script('tandemUpdateSettings')(this.keys.settings, maintenance, action, requestJson, requestId)),
    );
  }

  async completeRequest(id: string): Promise<boolean> {
    return this.call('completeRequest', async () => (await this.script('tandemCompleteRequest')(this.keys.settings, id)) === 1);
  }

  async appendEvent(event: NewEvent): Promise<StoredEvent> {
    assertEventFits(event);
    const json = JSON.stringify(event);
    return this.call('appendEvent', async () => {
      // Exact MAXLEN (not ~): the history bound is a promise to operators, and a few events a second cost nothing to trim.
      const id = await this.redis.xadd(this.keys.events, 'MAXLEN', this.eventsMax, '*', 'event', json);
      if (id === null) throw new Error('XADD returned no id');
      return { ...(JSON.parse(json) as NewEvent), id };
    });
  }

  async readEvents(options: { readonly after?: string; readonly limit?: number } = {}): Promise<readonly StoredEvent[]> {
    if (options.after !== undefined && !/^\d+-\d+$/.test(options.after)) throw new RangeError(`readEvents: "after" is not an event id: ${options.after}`);
    const start = options.after === undefined ? '-' : `(${options.after}`;
    return this.call('readEvents', async () =>
      parseEvents(await this.redis.xrange(this.keys.events, start, '+', 'COUNT', eventsPageSize(options.limit)), (id) => `${this.keys.events}#${id}`, this.skips),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watch.stop();
    this.redis.disconnect(false);
  }

  /**
   * A lease write only counts once `minReplicaAcks` replicas have it: if the
   * master died before replicating, a promoted replica would not know the
   * lease (nor the epoch), and another node could be granted the same epoch.
   */
  private async confirmReplicated(what: string, result: LeaseResult): Promise<LeaseResult> {
    if (!result.acquired || (await this.replicated(what))) return result;
    return { acquired: false, current: result.lease };
  }

  /** True when `minReplicaAcks` replicas have every write this connection made so far (always, with 0). */
  private async replicated(what: string): Promise<boolean> {
    if (this.minReplicaAcks === 0) return true;
    // Half the call budget, so WAIT answers before the command timeout cuts it.
    const waitMs = Math.max(1, Math.floor(this.timeoutMs / 2));
    const acked = await this.redis.wait(this.minReplicaAcks, waitMs);
    if (acked >= this.minReplicaAcks) return true;
    this.logger?.warn({ what, acked, needed: this.minReplicaAcks, waitMs }, 'store write not acknowledged by enough replicas; counted as not written');
    return false;
  }

  private script(name: keyof typeof SCRIPTS): ScriptFn {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[name];
    if (fn === undefined) throw new Error(`script ${name} is not defined`);
    return fn.bind(this.redis);
  }

  /** Run one store call under the deadline; whatever goes wrong becomes a StoreUnavailableError. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`redis store: ${what} after close`);
    const stopTimer = new AbortController();
    const deadline = this.clock.sleep(this.timeoutMs, stopTimer.signal).then(
      (): never => {
        throw new StoreUnavailableError(`redis store: ${what} got no answer within ${this.timeoutMs} ms (${this.watch.describe()})`);
      },
      (): never => {
        throw new Error('deadline cancelled');
      },
    );
    deadline.catch(() => undefined);
    const work = (async (): Promise<T> => {
      await this.watch.ready();
      return fn();
    })();
    // If the deadline wins, the late outcome of the work must not surface as an unhandled rejection.
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`redis store: ${what} failed: ${message}`, { cause: error });
    } finally {
      stopTimer.abort();
    }
  }
}

/** Lua compares epochs as doubles and tonumber() of 'NaN' is nil: only plain integers go to the script. */
function assertPrimaryRecord(record: PrimaryRecord): void {
  if (!Number.isSafeInteger(record.epoch) || record.epoch < 0) {
    throw new RangeError(`recordPrimary: epoch must be a non-negative integer, got ${String(record.epoch)}`);
  }
  if (!Number.isFinite(record.atWallMs)) {
    throw new RangeError(`recordPrimary: atWallMs must be a finite number, got ${String(record.atWallMs)}`);
  }
}
