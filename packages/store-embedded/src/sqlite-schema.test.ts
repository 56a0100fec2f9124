import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';

// The tables exactly as schema version 1 (before primary_record) created them.
const VERSION_1_SQL = `
CREATE TABLE lease (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, epoch INTEGER NOT NULL, expires_at_wall_ms INTEGER NOT NULL);
CREATE TABLE epoch_counter (id INTEGER PRIMARY KEY CHECK (id = 1), last_epoch INTEGER NOT NULL);
INSERT INTO epoch_counter (id, last_epoch) VALUES (1, 0);
CREATE TABLE members (node TEXT PRIMARY KEY, record_json TEXT NOT NULL, expires_at_wall_ms INTEGER NOT NULL);
CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), settings_json TEXT NOT NULL);
INSERT INTO settings (id, settings_json) VALUES (1, '{"maintenance":false}');
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at_wall_ms INTEGER NOT NULL, node TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL, data_json TEXT);
`;

// Version 2 added these to version 1; the lease table had no token column yet.
const VERSION_2_SQL = `${VERSION_1_SQL}
CREATE TABLE cluster_identity (id INTEGER PRIMARY KEY CHECK (id = 1), cluster_id TEXT NOT NULL, cluster TEXT NOT NULL, created_at_wall_ms INTEGER NOT NULL);
CREATE TABLE primary_record (id INTEGER PRIMARY KEY CHECK (id = 1), node TEXT NOT NULL, epoch INTEGER NOT NULL, at_wall_ms INTEGER NOT NULL);
`;

describe('SqliteCoordinationStore schema migration', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-schema-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a version 1 file, keeps its lease, epochs and settings, and adds an empty primary record', async () => {
    expect.hasAssertions();
    const path = join(dir, 'store.sqlite');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(VERSION_1_SQL);
    old.prepare('UPDATE epoch_counter SET last_epoch = 4 WHERE id = 1').run();
    old.prepare('INSERT INTO lease (id, holder, epoch, expires_at_wall_ms) VALUES (1, ?, 4, ?)').run('db1', Date.now() + 60_000);
    old.prepare('UPDATE settings SET settings_json = ? WHERE id = 1').run('{"maintenance":true}');
    old.pragma('user_version = 1');
    old.close();

    const store = new SqliteCoordinationStore({ path });
    try {
      expect(await store.lastEpoch()).toBe(4);
      expect(await store.readLease()).toMatchObject({ holder: 'db1', epoch: 4 });
      expect(await store.readSettings()).toEqual({ maintenance: true });
      expect(await store.lastPrimary()).toBeUndefined();
      expect(await store.recordPrimary({ node: 'db1', epoch: 4, atWallMs: 1_000 })).toBe(true);
      expect(await store.lastPrimary()).toEqual({ node: 'db1', epoch: 4, atWallMs: 1_000 });
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
    // Opening the migrated file again changes nothing.
    const again = new SqliteCoordinationStore({ path });
    expect(await again.lastPrimary()).toEqual({ node: 'db1', epoch: 4, atWallMs: 1_000 });
    await again.close();
  });

  it("opens a version 2 file: its live lease keeps holder and epoch and migrates with token '', held by callers without a token only", async () => {
    expect.hasAssertions();
    const path = join(dir, 'store.sqlite');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(VERSION_2_SQL);
    old.prepare('UPDATE epoch_counter SET last_epoch = 6 WHERE id = 1').run();
    old.prepare('INSERT INTO lease (id, holder, epoch, expires_at_wall_ms) VALUES (1, ?, 6, ?)').run('db1', Date.now() + 60_000);
    old.prepare('INSERT INTO primary_record (id, node, epoch, at_wall_ms) VALUES (1, ?, 6, 5)').run('db1');
    old.pragma('user_version = 2');
    old.close();

    const store = new SqliteCoordinationStore({ path });
    try {
      expect(await store.readLease()).toMatchObject({ holder: 'db1', epoch: 6 });
      expect(await store.lastPrimary()).toEqual({ node: 'db1', epoch: 6, atWallMs: 5 });
      // Another process (a token) cannot take the migrated lease; the tokenless caller it belonged to still renews it.
      expect(await store.acquireLease('db1', 60_000, 'new-process')).toMatchObject({ acquired: false, heldByOtherProcess: true });
      expect(await store.renewLease('db1', 6, 60_000)).toMatchObject({ acquired: true, lease: { holder: 'db1', epoch: 6 } });
      expect(await store.releaseLease('db1', 6)).toBe(true);
      expect(await store.acquireLease('db1', 60_000, 'new-process')).toMatchObject({ acquired: true, lease: { epoch: 7 } });
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect((check.pragma('table_info(lease)') as { name: string }[]).map((c) => c.name)).toContain('token');
    check.close();
    // Opening the migrated file again adds nothing twice and keeps the token.
    const again = new SqliteCoordinationStore({ path });
    try {
      expect(await again.renewLease('db1', 7, 60_000, 'new-process')).toMatchObject({ acquired: true });
    } finally {
      await again.close();
    }
  });

  it('refuses a record whose epoch is not a non-negative integer, before touching the file', async () => {
    expect.hasAssertions();
    const store = new SqliteCoordinationStore({ path: join(dir, 'store.sqlite') });
    try {
      await expect(store.recordPrimary({ node: 'db1', epoch: 1.5, atWallMs: 1 })).rejects.toThrow(RangeError);
      await expect(store.recordPrimary({ node: 'db1', epoch: Number.NaN, atWallMs: 1 })).rejects.toThrow(/epoch/);
      expect(await store.lastPrimary()).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
