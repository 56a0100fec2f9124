import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError, SystemClock, type MemberRecord } from '@tandem/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

/*
 * Issue 14, item 1, row: "deleted the embedded store's file (rm store.sqlite*)
 * while the demo ran, then restarted one agent: running agents kept the
 * deleted inode; the restarted one found an empty store ... two primaries".
 * SQLite keeps its descriptors, so without a check the running agents go on
 * reading and writing the deleted (or replaced) file as if nothing happened.
 */

const TTL_MS = 60_000;

function record(node: string): MemberRecord {
  return { node, role: 'replica', epoch: 1, facts: { lagBytes: 0 }, updatedAtWallMs: 1 };
}

/** What is in the file at `path` now, read by a connection of its own (as a restarted agent would). */
function contentsOf(path: string): { lease: unknown; members: unknown[]; lastEpoch: number } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      lease: db.prepare('SELECT holder, epoch FROM lease').get(),
      members: db.prepare('SELECT node FROM members ORDER BY node').all(),
      lastEpoch: (db.prepare('SELECT last_epoch FROM epoch_counter').get() as { last_epoch: number }).last_epoch,
    };
  } finally {
    db.close();
  }
}

let dir: string;
let path: string;
const open: SqliteCoordinationStore[] = [];
function openStore(at = path, clock = new SystemClock()): SqliteCoordinationStore {
  const store = new SqliteCoordinationStore({ path: at, clock });
  open.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-lost-'));
  path = join(dir, 'store.sqlite');
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const deleted = (file = path): RegExp => new RegExp(`${escaped(file)} was deleted`);
const replaced = (): RegExp => new RegExp(`${escaped(path)} was replaced by another file \\(inode \\d+, was \\d+\\)`);

describe("issue 14: deleted the embedded store's file (rm store.sqlite*) while the demo ran", () => {
  it('the running agents stop: heartbeat, acquire and renew reject with StoreUnavailableError naming the path, and no file is written', async () => {
    expect.hasAssertions();
    const primary = openStore();
    const replica = openStore();
    const held = await primary.acquireLease('db1', TTL_MS);
    expect(held.acquired).toBe(true);
    const epoch = held.acquired ? held.lease.epoch : -1;
    await replica.heartbeat(record('db2'), TTL_MS);

    for (const suffix of ['', '-wal', '-shm']) await rm(path + suffix);

    await expect(replica.heartbeat(record('db2'), TTL_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(replica.heartbeat(record('db2'), TTL_MS)).rejects.toThrow(deleted());
    await expect(replica.acquireLease('db2', TTL_MS)).rejects.toThrow(deleted());
    await expect(primary.renewLease('db1', epoch, TTL_MS)).rejects.toThrow(deleted());
    // The message says what to do.
    await expect(primary.renewLease('db1', epoch, TTL_MS)).rejects.toThrow(/restore the file .* restart every agent .*tandem init/);
    // Reads too: the agents no longer think the store is fine.
    await expect(primary.readLease()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(replica.members()).rejects.toBeInstanceOf(StoreUnavailableError);
    // Nothing was created at the path (SQLite would not have, either; but nothing was written anywhere an agent looks).
    expect(await readdir(dir)).toEqual([]);
  });

  it('then restarted one agent: it gets a new file, and the running agents write nothing into it (the failure is sticky)', async () => {
    expect.hasAssertions();
    const primary = openStore();
    const replica = openStore();
    const held = await primary.acquireLease('db1', TTL_MS);
    const epoch = held.acquired ? held.lease.epoch : -1;
    await replica.heartbeat(record('db2'), TTL_MS);

    for (const suffix of ['', '-wal', '-shm']) await rm(path + suffix);
    // A running agent notices before the restart...
    await expect(replica.heartbeat(record('db2'), TTL_MS)).rejects.toThrow(deleted());
    const restarted = openStore();
    expect(await restarted.readLease()).toBeUndefined();
    // ...or only after it: then the path names the restarted agent's file, not the one it opened.
    await expect(primary.renewLease('db1', epoch, TTL_MS)).rejects.toThrow(replaced());
    await expect(primary.acquireLease('db1', TTL_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
    // Sticky: the replica's first reason stands, though a file is at the path again.
    await expect(replica.heartbeat(record('db2'), TTL_MS)).rejects.toThrow(deleted());
    await expect(replica.acquireLease('db2', TTL_MS)).rejects.toThrow(deleted());

    expect(contentsOf(path)).toEqual({ lease: undefined, members: [], lastEpoch: 0 });
    // The restarted agent's own store works (whether it may use an empty store is the cluster identity check's call).
    expect(await restarted.acquireLease('db3', TTL_MS)).toMatchObject({ acquired: true, lease: { epoch: 1 } });
  });

  it('replaced the file (another SQLite file renamed over the path): heartbeat, acquire and renew reject the same way, the new file untouched', async () => {
    expect.hasAssertions();
    const primary = openStore();
    const replica = openStore();
    const held = await primary.acquireLease('db1', TTL_MS);
    const epoch = held.acquired ? held.lease.epoch : -1;
    await replica.heartbeat(record('db2'), TTL_MS);

    // Another store, with a lease of its own, closed (checkpointed: one file), then moved over the path.
    const otherPath = join(dir, 'other.sqlite');
    const other = new SqliteCoordinationStore({ path: otherPath });
    await other.acquireLease('elsewhere', TTL_MS);
    await other.close();
    await rename(otherPath, path);
    // (What a new opener sees now is not simply the other file: the old store.sqlite-wal is still beside it.)
    const before = contentsOf(path);

    await expect(replica.heartbeat(record('db9'), TTL_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(replica.heartbeat(record('db9'), TTL_MS)).rejects.toThrow(replaced());
    await expect(replica.acquireLease('db9', TTL_MS)).rejects.toThrow(replaced());
    await expect(primary.renewLease('db1', epoch, TTL_MS)).rejects.toThrow(replaced());
    await expect(primary.releaseLease('db1', epoch)).rejects.toThrow(replaced());
    await expect(primary.readLease()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(contentsOf(path)).toEqual(before);
    expect(contentsOf(path).members).not.toContainEqual({ node: 'db9' });
  });

  it('deleted only the side files (rm store.sqlite-wal store.sqlite-shm): rejects naming the write-ahead log', async () => {
    expect.hasAssertions();
    // Why it matters: what is not yet checkpointed lives only in the -wal; a new opener would see the older main file.
    const primary = openStore();
    await primary.acquireLease('db1', TTL_MS);
    await rm(`${path}-wal`);
    await rm(`${path}-shm`);
    await expect(primary.heartbeat(record('db1'), TTL_MS)).rejects.toThrow(deleted(`${path}-wal`));
    await expect(primary.readLease()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('deleted during a write: the call rejects (its outcome unknown) rather than reporting a lease nobody else can see', async () => {
    expect.hasAssertions();
    let removeDuringNextWrite = false;
    const clock = new SystemClock();
    // wallMs() is read inside the write transaction: the file goes away between the check before and the commit.
    const removing = Object.assign(Object.create(clock) as SystemClock, {
      wallMs: (): number => {
        if (removeDuringNextWrite) {
          removeDuringNextWrite = false;
          for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix);
        }
        return clock.wallMs();
      },
    });
    const primary = openStore(path, removing);
    removeDuringNextWrite = true;
    await expect(primary.acquireLease('db1', TTL_MS)).rejects.toThrow(/acquireLease may have been written only into the lost file/);
    await expect(primary.readLease()).rejects.toThrow(deleted());
  });

  it('a normal store keeps working across many operations, with other connections opening, checkpointing and closing the file', async () => {
    expect.hasAssertions();
    const primary = openStore();
    const replica = openStore();
    const held = await primary.acquireLease('db1', TTL_MS);
    const epoch = held.acquired ? held.lease.epoch : -1;
    for (let i = 0; i < 500; i++) {
      await replica.heartbeat(record('db2'), TTL_MS);
      expect((await primary.renewLease('db1', epoch, TTL_MS)).acquired).toBe(true);
      expect((await replica.acquireLease('db2', TTL_MS)).acquired).toBe(false);
      await primary.appendEvent({ atWallMs: i, node: 'db1', type: 'test', message: `event ${i}` });
      if (i % 50 === 0) {
        // Another agent comes and goes; a checkpoint truncates the -wal: neither replaces a file.
        const visitor = new SqliteCoordinationStore({ path });
        await visitor.heartbeat(record(`visitor-${i}`), 1);
        await visitor.close();
        const raw = new Database(path);
        raw.pragma('wal_checkpoint(TRUNCATE)');
        raw.close();
      }
    }
    expect(await primary.readLease()).toMatchObject({ holder: 'db1', epoch });
    expect((await replica.members()).map((m) => m.node)).toEqual(['db2']);
    expect(await primary.lastEpoch()).toBe(epoch);
  });
});
