import type Database from 'better-sqlite3';
import {
  DEFAULT_EVENTS_MAX,
  StoreUnavailableError,
  SkippedRecords,
  SystemClock,
  assertEventFits,
  assertMemberRecordFits,
  assertTtlMs,
  eventsPageSize,
  mergeSettings,
  parseEventColumns,
  parseMemberRecord,
  type Clock,
  type ClusterSettings,
  type CoordinationStore,
  type Lease,
  type LeaseResult,
  type Member,
  type MemberRecord,
  type NewEvent,
  type PrimaryRecord,
  type ClusterIdentity,
  type SkippedRecord,
  type StoredEvent,
} from '@tandem/core';
import { openStoreDatabase } from './sqlite-schema.js';
import { prepareStatements, type IdentityRow, type LeaseRow, type Statements } from './sqlite-statements.js';
import { StoreFileGuard } from './store-file-guard.js';

export interface SqliteCoordinationStoreOptions {
  /** The store file; every agent on the machine opens the same one. */
  readonly path: string;
  /**
   * Expiry is judged on `clock.wallMs()`: processes do not share a monotonic
   * clock, but on one machine they do share the system clock. Defaults to the
   * system clock.
   */
  readonly clock?: Clock;
  /** Events kept before the oldest are dropped. */
  readonly eventsMax?: number;
  /** How long a call waits for another process's write lock before it rejects. Blocks this process meanwhile. */
  readonly busyTimeoutMs?: number;
}

/**
 * The coordination store for agents on ONE machine: an SQLite file in WAL
 * mode. Each compare-and-set runs in a `BEGIN IMMEDIATE` transaction, which
 * takes the file's write lock before reading, so two processes can never
 * both see a free lease and both take it.
 *
 * Every call first checks that the path still names the files this
 * connection opened (StoreFileGuard): once the store file or its -wal/-shm
 * was deleted or replaced, every call rejects, and nothing more is written.
 */
export class SqliteCoordinationStore implements CoordinationStore {
  private readonly clock: Clock;
  private readonly eventsMax: number;
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly files: StoreFileGuard;
  private readonly skipped = new SkippedRecords();
  private closed = false;

  constructor(private readonly options: SqliteCoordinationStoreOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.eventsMax = options.eventsMax ?? DEFAULT_EVENTS_MAX;
    if (!Number.isInteger(this.eventsMax) || this.eventsMax < 1) {
      throw new RangeError(`eventsMax must be a positive integer, got ${String(options.eventsMax)}`);
    }
    try {
      this.db = openStoreDatabase(options.path, options.busyTimeoutMs ?? 1000);
    } catch (error) {
      throw new StoreUnavailableError(`cannot open the embedded store ${options.path}: ${describe(error)}`, { cause: error });
    }
    try {
      this.files = StoreFileGuard.capture(options.path);
    } catch (error) {
      this.db.close();
      throw new StoreUnavailableError(`cannot open the embedded store ${options.path}: ${describe(error)}`, { cause: error });
    }
    this.sql = prepareStatements(this.db);
  }

  async acquireLease(node: string, ttlMs: number, token = ''): Promise<LeaseResult> {
    assertTtlMs(ttlMs, 'acquireLease');
    return this.write('acquireLease', (now): LeaseResult => {
      const current = this.liveLease(now);
      if (current !== undefined && current.holder !== node) return { acquired: false, current: view(current, now) };
      // The same node name under another token: another process's lease (a previous run, or another agent with this name).
      if (current !== undefined && current.token !== token) return { acquired: false, current: view(current, now), heldByOtherProcess: true };
      let epoch = current?.epoch;
      if (epoch === undefined) {
        epoch = this.sql.lastEpoch.get()!.last_epoch + 1;
        this.sql.setLastEpoch.run(epoch);
      }
      const lease: LeaseRow = { holder: node, token, epoch, expires_at_wall_ms: now + ttlMs };
      this.sql.putLease.run(lease);
      return { acquired: true, lease: view(lease, now) };
    });
  }

  async renewLease(node: string, epoch: number, ttlMs: number, token = ''): Promise<LeaseResult> {
    assertTtlMs(ttlMs, 'renewLease');
    return this.write('renewLease', (now) => {
      const current = this.liveLease(now);
      if (current === undefined || current.holder !== node || current.token !== token || current.epoch !== epoch) {
        return { acquired: false, current: current === undefined ? undefined : view(current, now) };
      }
      const lease: LeaseRow = { ...current, expires_at_wall_ms: now + ttlMs };
      this.sql.putLease.run(lease);
      return { acquired: true, lease: view(lease, now) };
    });
  }

  async releaseLease(node: string, epoch: number, token = ''): Promise<boolean> {
    return this.write('releaseLease', (now) => {
      const current = this.liveLease(now);
      if (current === undefined || current.holder !== node || current.token !== token || current.epoch !== epoch) return false;
      this.sql.deleteLease.run();
      return true;
    });
  }

  async readLease(): Promise<Lease | undefined> {
    return this.read('readLease', (now) => {
      const current = this.liveLease(now);
      return current === undefined ? undefined : view(current, now);
    });
  }

  async lastEpoch(): Promise<number> {
    return this.read('lastEpoch', () => this.sql.lastEpoch.get()!.last_epoch);
  }

  async readIdentity(): Promise<ClusterIdentity | undefined> {
    return this.read('readIdentity', () => identityOf(this.sql.readIdentity.get()));
  }

  async initIdentity(identity: ClusterIdentity): Promise<ClusterIdentity> {
    // INSERT OR IGNORE, then read back, under one write lock: the first bootstrap wins, every caller sees it.
    return this.write('initIdentity', () => {
      this.sql.initIdentity.run({ cluster_id: identity.clusterId, cluster: identity.cluster, created_at_wall_ms: identity.createdAtWallMs });
      return identityOf(this.sql.readIdentity.get()) ?? identity;
    });
  }

  async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    assertPrimaryRecord(record);
    // Read and write under one write lock: two candidates at the same epoch cannot both see "no record yet".
    return this.write('recordPrimary', (now) => {
      const lease = this.liveLease(now);
      if (lease === undefined || lease.holder !== record.node || lease.epoch !== record.epoch) return false;
      const current = this.sql.readPrimary.get();
      if (current !== undefined && current.epoch >= record.epoch) return false;
      this.sql.putPrimary.run({ node: record.node, epoch: record.epoch, at_wall_ms: record.atWallMs, sole_copy: record.soleCopy === true ? 1 : 0 });
      return true;
    });
  }

  async markSoleCopy(node: string, epoch: number, soleCopy: boolean): Promise<boolean> {
    return this.write('markSoleCopy', (now) => {
      const lease = this.liveLease(now);
      if (lease === undefined || lease.holder !== node || lease.epoch !== epoch) return false;
      const current = this.sql.readPrimary.get();
      if (current === undefined || current.node !== node || current.epoch !== epoch) return false;
      this.sql.setSoleCopy.run(soleCopy ? 1 : 0);
      return true;
    });
  }

  async lastPrimary(): Promise<PrimaryRecord | undefined> {
    return this.read('lastPrimary', () => {
      const row = this.sql.readPrimary.get();
      return row === undefined ? undefined : { node: row.node, epoch: row.epoch, atWallMs: row.at_wall_ms, ...(row.sole_copy === 1 ? { soleCopy: true } : {}) };
    });
  }

  async heartbeat(record: MemberRecord, ttlMs: number): Promise<void> {
    assertTtlMs(ttlMs, 'heartbeat');
    const recordJson = JSON.stringify(record);
    assertMemberRecordFits(recordJson, record.node);
    this.write('heartbeat', (now) => {
      this.sql.putMember.run({ node: record.node, record_json: recordJson, expires_at_wall_ms: now + ttlMs });
      // Lapsed rows are removed by whoever writes next, so the table stays the size of the live cluster.
      this.sql.deleteLapsedMembers.run(now);
    });
  }

  /** Each row on its own: one that does not parse, or claims another node than its `node` column, is skipped and noted. */
  async members(): Promise<readonly Member[]> {
    return this.read('members', (now) =>
      this.sql.liveMembers.all(now).flatMap((row): Member[] => {
        const key = `${this.options.path}#members/${String(row.node)}`;
        const parsed = typeof row.record_json === 'string' ? parseMemberRecord(String(row.node), row.record_json) : { ok: false as const, reason: 'record_json is not text' };
        if (!parsed.ok) {
          this.skipped.note(key, parsed.reason);
          return [];
        }
        this.skipped.clear(key);
        return [{ ...parsed.value, remainingMs: row.expires_at_wall_ms - now }];
      }),
    );
  }

  takeSkippedRecords(): readonly SkippedRecord[] {
    return this.skipped.take();
  }

  async readSettings(): Promise<ClusterSettings> {
    return this.read('readSettings', () => this.currentSettings());
  }

  async updateSettings(patch: Partial<ClusterSettings>): Promise<ClusterSettings> {
    return this.write('updateSettings', () => {
      const next = mergeSettings(this.currentSettings(), patch);
      this.sql.putSettings.run(JSON.stringify(next));
      return next;
    });
  }

  async completeRequest(id: string): Promise<boolean> {
    return this.write('completeRequest', () => {
      const current = this.currentSettings();
      if (current.request?.id !== id) return false;
      this.sql.putSettings.run(JSON.stringify(mergeSettings(current, { request: undefined })));
      return true;
    });
  }

  async appendEvent(event: NewEvent): Promise<StoredEvent> {
    assertEventFits(event);
    return this.write('appendEvent', () => {
      const dataJson = event.data === undefined ? null : JSON.stringify(event.data);
      const info = this.sql.insertEvent.run({ at_wall_ms: event.atWallMs, node: event.node, type: event.type, message: event.message, data_json: dataJson });
      this.sql.trimEvents.run(this.eventsMax);
      const stored: StoredEvent = { id: String(info.lastInsertRowid), atWallMs: event.atWallMs, node: event.node, type: event.type, message: event.message };
      return event.data === undefined ? stored : { ...stored, data: JSON.parse(dataJson!) as Record<string, unknown> };
    });
  }

  async readEvents(options: { readonly after?: string; readonly limit?: number } = {}): Promise<readonly StoredEvent[]> {
    const after = options.after === undefined ? 0 : Number(options.after);
    if (!Number.isInteger(after)) throw new RangeError(`readEvents: "after" is not an event id: ${options.after ?? ''}`);
    // A skipped row still counts toward the page, so a page of bad rows cannot turn one read into a scan of the table.
    return this.read('readEvents', () =>
      this.sql.eventsAfter.all(after, eventsPageSize(options.limit)).flatMap((row): StoredEvent[] => {
        const parsed = parseEventColumns({ atWallMs: row.at_wall_ms, node: row.node, type: row.type, message: row.message, dataJson: row.data_json });
        if (parsed.ok) return [{ ...parsed.value, id: String(row.id) }];
        this.skipped.note(`${this.options.path}#events/${row.id}`, parsed.reason);
        return [];
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private liveLease(now: number): LeaseRow | undefined {
    const row = this.sql.readLease.get();
    return row !== undefined && row.expires_at_wall_ms > now ? row : undefined;
  }

  private currentSettings(): ClusterSettings {
    return JSON.parse(this.sql.readSettings.get()!.settings_json) as ClusterSettings;
  }

  /** Run `fn` in a BEGIN IMMEDIATE transaction: the write lock is held from the first read to the commit. */
  private write<T>(what: string, fn: (nowWallMs: number) => T): T {
    const result = this.guard(what, () => this.db.transaction(() => fn(this.clock.wallMs())).immediate());
    // Deleted or replaced during the transaction: what was committed went where no other agent looks.
    this.files.assertIntact(this.options.path, what, 'committed into a lost file');
    return result;
  }

  /** A read-only call: one statement, or a deferred transaction that sees one snapshot. */
  private read<T>(what: string, fn: (nowWallMs: number) => T): T {
    return this.guard(what, () => this.db.transaction(() => fn(this.clock.wallMs())).deferred());
  }

  private guard<T>(what: string, fn: () => T): T {
    if (this.closed) throw new StoreUnavailableError(`embedded store ${this.options.path} is closed`);
    this.files.assertIntact(this.options.path, what, 'refused');
    try {
      return fn();
    } catch (error) {
      // Busy past busy_timeout, a full disk, a file removed under us: the caller cannot know the outcome.
      throw new StoreUnavailableError(`embedded store ${this.options.path}: ${what} failed: ${describe(error)}`, { cause: error });
    }
  }
}

/** SQLite would keep a fractional or NaN epoch as REAL or NULL and compare it loosely; refuse it before the transaction. */
function assertPrimaryRecord(record: PrimaryRecord): void {
  if (!Number.isSafeInteger(record.epoch) || record.epoch < 0) {
    throw new RangeError(`recordPrimary: epoch must be a non-negative integer, got ${String(record.epoch)}`);
  }
  if (!Number.isFinite(record.atWallMs)) {
    throw new RangeError(`recordPrimary: atWallMs must be a finite number, got ${String(record.atWallMs)}`);
  }
}

function identityOf(row: IdentityRow | undefined): ClusterIdentity | undefined {
  return row === undefined ? undefined : { clusterId: row.cluster_id, cluster: row.cluster, createdAtWallMs: row.created_at_wall_ms };
}

function view(row: LeaseRow, now: number): Lease {
  return { holder: row.holder, epoch: row.epoch, remainingMs: row.expires_at_wall_ms - now };
}

function describe(error: unknown): string {
  if (error instanceof Error) return 'code' in error ? `${String(error.code)}: ${error.message}` : error.message;
  return String(error);
}
