import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '@tandem/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

describe('SqliteCoordinationStore under a held write lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-busy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a write with StoreUnavailableError after busyTimeoutMs, and works once the lock is gone', async () => {
    expect.hasAssertions();
    const path = join(dir, 'store.sqlite');
    const store = new SqliteCoordinationStore({ path, busyTimeoutMs: 200 });
    // Another "process" (a second connection) takes the write lock and sits on it.
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    const startedMs = performance.now();
    const attempt = store.acquireLease('a', 1000);
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.toThrow(/SQLITE_BUSY/);
    const waitedMs = performance.now() - startedMs;
    expect(waitedMs).toBeGreaterThanOrEqual(150);
    expect(waitedMs).toBeLessThan(2000);
    // Readers are not blocked by a writer in WAL mode.
    expect(await store.readLease()).toBeUndefined();
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(await store.acquireLease('a', 1000)).toMatchObject({ acquired: true, lease: { epoch: 1 } });
    await store.close();
  });

  it('fails to open a path it cannot create with StoreUnavailableError naming the path', () => {
    expect.hasAssertions();
    const path = join(dir, 'missing-dir', 'store.sqlite');
    expect(() => new SqliteCoordinationStore({ path })).toThrow(StoreUnavailableError);
    expect(() => new SqliteCoordinationStore({ path })).toThrow(/missing-dir/);
  });

  it('refuses a file written by a newer schema', async () => {
    expect.hasAssertions();
    const path = join(dir, 'store.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteCoordinationStore({ path })).toThrow(/schema version 99/);
  });

  it('rejects calls after close', async () => {
    expect.hasAssertions();
    const store = new SqliteCoordinationStore({ path: join(dir, 'store.sqlite') });
    await store.close();
    await expect(store.readLease()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
