import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MemberRecord } from '@tandem/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

const TTL_MS = 60_000;
const T0_MS = 1_767_225_600_000;

function record(node: string): MemberRecord {
  return { node, role: 'replica', epoch: 3, facts: { lagBytes: 0 }, updatedAtWallMs: T0_MS };
}

let dir: string;
let path: string;
let store: SqliteCoordinationStore;
/** Another process writing into the file behind the store's back: a bug, a foreign tool, a hand edit. */
let raw: Database.Database;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-bad-'));
  path = join(dir, 'store.sqlite');
  store = new SqliteCoordinationStore({ path });
  raw = new Database(path);
});

afterEach(async () => {
  raw.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('one malformed member record / one non-JSON event (embedded store)', () => {
  it('a member row of bad JSON is skipped, the others are read, and the skip is reported once naming the row', async () => {
    for (const node of ['db1', 'db2', 'db3']) await store.heartbeat(record(node), TTL_MS);
    raw.prepare("UPDATE members SET record_json = 'not json' WHERE node = 'db2'").run();
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db3']);
    expect(store.takeSkippedRecords()).toEqual([{ key: `${path}#members/db2`, reason: expect.stringMatching(/^not JSON/) as string }]);
    // Read again: still skipped, not reported again.
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db3']);
    expect(store.takeSkippedRecords()).toEqual([]);
    // Fixed by the next heartbeat: read again; broken again later: reported again.
    await store.heartbeat(record('db2'), TTL_MS);
    expect((await store.members()).map((m) => m.node)).toEqual(['db1', 'db2', 'db3']);
    raw.prepare("UPDATE members SET record_json = '{' WHERE node = 'db2'").run();
    await store.members();
    expect(store.takeSkippedRecords().map((s) => s.key)).toEqual([`${path}#members/db2`]);
  });

  it("a member's identity is its row's node: a record claiming another node is skipped", async () => {
    await store.heartbeat(record('db1'), TTL_MS);
    await store.heartbeat(record('db2'), TTL_MS);
    raw.prepare('UPDATE members SET record_json = ? WHERE node = ?').run(JSON.stringify({ ...record('db1'), role: 'primary' }), 'db2');
    const members = await store.members();
    expect(members.map((m) => [m.node, m.role])).toEqual([['db1', 'replica']]);
    expect(store.takeSkippedRecords()).toEqual([{ key: `${path}#members/db2`, reason: 'the record claims node "db1", not "db2" as its key says' }]);
  });

  it('a member record of the wrong shape or over the size limit is skipped', async () => {
    for (const node of ['db1', 'db2', 'db3']) await store.heartbeat(record(node), TTL_MS);
    raw.prepare('UPDATE members SET record_json = ? WHERE node = ?').run(JSON.stringify({ ...record('db2'), role: 'king' }), 'db2');
    raw.prepare('UPDATE members SET record_json = ? WHERE node = ?').run(JSON.stringify({ ...record('db3'), facts: { blob: 'x'.repeat(100_000) } }), 'db3');
    expect((await store.members()).map((m) => m.node)).toEqual(['db1']);
    const reasons = Object.fromEntries(store.takeSkippedRecords().map((s) => [s.key, s.reason]));
    expect(reasons[`${path}#members/db2`]).toMatch(/^role is not one of/);
    expect(reasons[`${path}#members/db3`]).toMatch(/over the 65536-byte limit/);
  });

  it('an event row with non-JSON data is skipped; the events around it are read', async () => {
    for (const i of [1, 2, 3]) await store.appendEvent({ atWallMs: T0_MS + i, node: 'db1', type: 'test', message: `event ${i}`, data: { i } });
    raw.prepare("UPDATE events SET data_json = 'not json' WHERE message = 'event 2'").run();
    const bad = raw.prepare<[], { id: number }>("SELECT id FROM events WHERE message = 'event 2'").get()!.id;
    expect((await store.readEvents()).map((e) => e.message)).toEqual(['event 1', 'event 3']);
    expect(store.takeSkippedRecords()).toEqual([{ key: `${path}#events/${bad}`, reason: expect.stringMatching(/^data: not JSON/) as string }]);
    // Paging past the bad row still works, and the skip is not reported twice.
    const first = await store.readEvents({ limit: 1 });
    expect((await store.readEvents({ after: first[0]!.id })).map((e) => e.message)).toEqual(['event 3']);
    expect(store.takeSkippedRecords()).toEqual([]);
  });
});
