import type Database from 'better-sqlite3';

export interface LeaseRow {
  readonly holder: string;
  /** The holder process's token; never shown to readers. */
  readonly token: string;
  readonly epoch: number;
  readonly expires_at_wall_ms: number;
}

export interface PrimaryRow {
  readonly node: string;
  readonly epoch: number;
  readonly at_wall_ms: number;
  /** 1 while the primary acknowledges writes with its own copy only (PrimaryRecord.soleCopy). */
  readonly sole_copy: number;
}

export interface IdentityRow {
  readonly cluster_id: string;
  readonly cluster: string;
  readonly created_at_wall_ms: number;
}

interface MemberRow {
  readonly node: string;
  readonly record_json: string;
  readonly expires_at_wall_ms: number;
}

interface EventRow {
  readonly id: number;
  readonly at_wall_ms: number;
  readonly node: string;
  readonly type: string;
  readonly message: string;
  readonly data_json: string | null;
}

type NewEventRow = Omit<EventRow, 'id'>;

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export interface Statements {
  readonly readLease: Stmt<[], LeaseRow>;
  readonly putLease: Stmt<[LeaseRow]>;
  readonly deleteLease: Stmt<[]>;
  readonly lastEpoch: Stmt<[], { last_epoch: number }>;
  readonly setLastEpoch: Stmt<[number]>;
  readonly readIdentity: Stmt<[], IdentityRow>;
  readonly initIdentity: Stmt<[IdentityRow]>;
  readonly readPrimary: Stmt<[], PrimaryRow>;
  readonly putPrimary: Stmt<[PrimaryRow]>;
  readonly setSoleCopy: Stmt<[number]>;
  readonly putMember: Stmt<[MemberRow]>;
  readonly deleteLapsedMembers: Stmt<[number]>;
  readonly liveMembers: Stmt<[number], MemberRow>;
  readonly readSettings: Stmt<[], { settings_json: string }>;
  readonly putSettings: Stmt<[string]>;
  readonly insertEvent: Stmt<[NewEventRow]>;
  readonly trimEvents: Stmt<[number]>;
  readonly eventsAfter: Stmt<[number, number], EventRow>;
}

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    readLease: db.prepare<[], LeaseRow>('SELECT holder, token, epoch, expires_at_wall_ms FROM lease WHERE id = 1'),
    putLease: db.prepare<[LeaseRow]>(
      'INSERT OR REPLACE INTO lease (id, holder, token, epoch, expires_at_wall_ms) VALUES (1, @holder, @token, @epoch, @expires_at_wall_ms)',
    ),
    deleteLease: db.prepare<[]>('DELETE FROM lease WHERE id = 1'),
    lastEpoch: db.prepare<[], { last_epoch: number }>('SELECT last_epoch FROM epoch_counter WHERE id = 1'),
    setLastEpoch: db.prepare<[number]>('UPDATE epoch_counter SET last_epoch = ? WHERE id = 1'),
    readIdentity: db.prepare<[], IdentityRow>('SELECT cluster_id, cluster, created_at_wall_ms FROM cluster_identity WHERE id = 1'),
    initIdentity: db.prepare<[IdentityRow]>(
      'INSERT OR IGNORE INTO cluster_identity (id, cluster_id, cluster, created_at_wall_ms) VALUES (1, @cluster_id, @cluster, @created_at_wall_ms)',
    ),
    readPrimary: db.prepare<[], PrimaryRow>('SELECT node, epoch, at_wall_ms, sole_copy FROM primary_record WHERE id = 1'),
    putPrimary: db.prepare<[PrimaryRow]>(
      'INSERT OR REPLACE INTO primary_record (id, node, epoch, at_wall_ms, sole_copy) VALUES (1, @node, @epoch, @at_wall_ms, @sole_copy)',
    ),
    setSoleCopy: db.prepare<[number]>('UPDATE primary_record SET sole_copy = ? WHERE id = 1'),
    putMember: db.prepare<[MemberRow]>(
      'INSERT OR REPLACE INTO members (node, record_json, expires_at_wall_ms) VALUES (@node, @record_json, @expires_at_wall_ms)',
    ),
    deleteLapsedMembers: db.prepare<[number]>('DELETE FROM members WHERE expires_at_wall_ms <= ?'),
    liveMembers: db.prepare<[number], MemberRow>(
      'SELECT node, record_json, expires_at_wall_ms FROM members WHERE expires_at_wall_ms > ? ORDER BY node COLLATE BINARY',
    ),
    readSettings: db.prepare<[], { settings_json: string }>('SELECT settings_json FROM settings WHERE id = 1'),
    putSettings: db.prepare<[string]>('UPDATE settings SET settings_json = ? WHERE id = 1'),
    insertEvent: db.prepare<[NewEventRow]>(
      'INSERT INTO events (at_wall_ms, node, type, message, data_json) VALUES (@at_wall_ms, @node, @type, @message, @data_json)',
    ),
    // Drops everything older than the newest `eventsMax` rows; uses the primary key, not a scan.
    trimEvents: db.prepare<[number]>('DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    eventsAfter: db.prepare<[number, number], EventRow>(
      'SELECT id, at_wall_ms, node, type, message, data_json FROM events WHERE id > ? ORDER BY id LIMIT ?',
    ),
  };
}
