import Database from 'better-sqlite3';

/**
 * Bumped when the tables change; a file with a newer version is refused rather than misread.
 * 1: lease, epoch_counter, members, settings, events. 2: + primary_record, cluster_identity.
 * 3: + lease.token (the holder process's token; a lease of an older file migrates with token '').
 * 4: + primary_record.sole_copy (a recorded promotion of an older file migrates as replicated, 0).
 */
export const SCHEMA_VERSION = 4;

/*
 * One row tables are pinned to id = 1 by a CHECK, so "the lease" can never
 * become two rows. Events use AUTOINCREMENT so an id is never handed out
 * twice, even after the oldest rows were trimmed.
 *
 * Every statement is idempotent (IF NOT EXISTS, OR IGNORE), so running the
 * whole script is also the migration from any older version: a version 1
 * file gains the primary_record table, empty, and keeps everything else.
 * A column added to an existing table cannot be written that way: see
 * ADDED_COLUMNS, run after the script.
 */
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  expires_at_wall_ms INTEGER NOT NULL,
  token TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS epoch_counter (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_epoch INTEGER NOT NULL
);
INSERT OR IGNORE INTO epoch_counter (id, last_epoch) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS members (
  node TEXT PRIMARY KEY,
  record_json TEXT NOT NULL,
  expires_at_wall_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  settings_json TEXT NOT NULL
);
INSERT OR IGNORE INTO settings (id, settings_json) VALUES (1, '{"maintenance":false}');
CREATE TABLE IF NOT EXISTS cluster_identity (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cluster_id TEXT NOT NULL,
  cluster TEXT NOT NULL,
  created_at_wall_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS primary_record (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  node TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  at_wall_ms INTEGER NOT NULL,
  sole_copy INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_wall_ms INTEGER NOT NULL,
  node TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  data_json TEXT
);
`;

/**
 * Columns later versions added to tables an older file already has, each
 * added only when the table lacks it (so a migrated file is migrated once).
 * 3: lease.token; the lease a version 2 file holds keeps its holder and
 * epoch and gets token '' (the token of callers that give none).
 * 4: primary_record.sole_copy; no older Tandem wrote a promotion that acknowledged alone.
 */
const ADDED_COLUMNS: readonly { readonly table: string; readonly column: string; readonly definition: string }[] = [
  { table: 'lease', column: 'token', definition: "TEXT NOT NULL DEFAULT ''" },
  { table: 'primary_record', column: 'sole_copy', definition: 'INTEGER NOT NULL DEFAULT 0' },
];

function addMissingColumns(db: Database.Database): void {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.pragma(`table_info(${table})`) as readonly { name: string }[];
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}

/**
 * `journal_mode = WAL`, retried while the file is busy. SQLite may answer
 * SQLITE_BUSY to this pragma at once, without its busy handler, while
 * another process is opening the same new file (seen in CI: two agents
 * starting together). Bounded by the busy timeout.
 */
function switchToWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + Math.max(0, busyTimeoutMs);
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      // A synchronous pause: this whole open is synchronous, as better-sqlite3 is.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/**
 * Open (creating if needed) the store file in WAL mode. WAL lets readers
 * run beside the one writer; busy_timeout makes a writer wait for the lock
 * instead of failing at once. Creating the tables runs in an IMMEDIATE
 * transaction so that agents starting together do not trip over each other.
 */
export function openStoreDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    switchToWal(db, busyTimeoutMs);
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`store file ${path} has schema version ${version}; this Tandem understands up to ${SCHEMA_VERSION}`);
      }
      db.exec(SCHEMA_SQL);
      addMissingColumns(db);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
