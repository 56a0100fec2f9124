import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecaCommandRunner, SystemClock, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import type { PostgresAgentOptions } from './options.js';
import { parseLsn } from './lsn.js';
import { PgTools } from './pg-tools.js';
import { PostgresAgent } from './postgres-agent.js';
import { rejoinAsReplica } from './rejoin-as-replica.js';
import { PgFixture } from './test-support/pg-fixture.js';

const clock = new SystemClock();
const runner = new ExecaCommandRunner();

function ctx(primary?: NodeInfo): ResourceCallContext {
  return { signal: new AbortController().signal, timeoutMs: 60_000, epoch: 1, ...(primary ? { primary } : {}) };
}

interface Member {
  node: NodeInfo;
  options: PostgresAgentOptions;
  agent: PostgresAgent;
  address: string;
}

async function until(what: string, check: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  const end = clock.monotonicMs() + limitMs;
  while (!(await check().catch(() => false))) {
    if (clock.monotonicMs() > end) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await clock.sleep(200);
  }
}

describe('resource-postgres with real PostgreSQL on loopback', () => {
  let fx: PgFixture;
  let a: Member;
  let b: Member;

  beforeAll(async () => {
    fx = await PgFixture.create();
    const na = await fx.node('a', 0);
    const nb = await fx.node('b', 1, { empty: true });
    const nodes = [na.node, nb.node];
    const member = (n: { node: NodeInfo; options: PostgresAgentOptions }): Member => ({
      ...n,
      address: n.node.nics.storage?.address ?? '',
      agent: new PostgresAgent(new PgTools(n.options, runner, fx.bin), { self: n.node, nodes }, clock),
    });
    a = member(na);
    b = member(nb);
  }, 120_000);

  afterAll(async () => {
    await fx?.cleanup([a?.options.dataDir, b?.options.dataDir].filter((d): d is string => d !== undefined));
  }, 60_000);

  it('starts and promotes a primary (making a slot for the peer), and builds a standby from nothing by base backup', async () => {
    expect((await a.agent.monitor(ctx())).code).toBe('not-running');
    expect(await a.agent.start(ctx())).toMatchObject({ code: 'ok' });
    expect(await a.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'primary' } });
    const promoted = await a.agent.promote(ctx());
    expect(promoted.code, promoted.reason).toBe('ok');
    expect(promoted.reason).toContain('already primary');
    expect(await fx.sql(a.address, "select slot_name from pg_replication_slots where slot_name = 'tandem_b'")).toBe('tandem_b');
    await fx.sql(a.address, "create table t (v text primary key); insert into t values ('first')");

    const lines: string[] = [];
    const joined = await rejoinAsReplica({ options: b.options, self: b.node, primary: a.node, runner, onProgress: (l) => lines.push(l), timeoutMs: 60_000 });
    expect(joined.code, joined.reason).toBe('ok');
    expect(joined.data).toMatchObject({ method: 'basebackup', primary: 'a', slot: 'tandem_b' });
    expect(joined.data?.movedAsideTo).toBeUndefined();
    expect(lines.some((l) => /kB \(100%\)/.test(l)), lines.join('\n')).toBe(true);
    expect(await b.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    await until('the first row on b', async () => (await fx.sql(b.address, 'select v from t')) === 'first');
    expect(await fx.sql(a.address, "select application_name || ' ' || state from pg_stat_replication")).toBe('b streaming');
  }, 90_000);

  it('readiness: the standby reports how far it got, the primary its current LSN, both read from the servers', async () => {
    await fx.sql(a.address, 'select pg_switch_wal()'); // new WAL without a row the later checks would see
    const primaryLsn = parseLsn(await fx.sql(a.address, 'select pg_current_wal_lsn()')) ?? -1;
    const onA = await a.agent.readiness(ctx());
    expect(onA.code, onA.reason).toBe('ok');
    expect(onA.data?.position?.offset).toBeGreaterThanOrEqual(primaryLsn);
    expect(onA.reason).toContain('runs as primary');
    // The standby catches up to the primary's position, and its answer is the replay (or receive) LSN it reports itself.
    await until('b at the primary position', async () => ((await b.agent.readiness(ctx())).data?.position?.offset ?? -1) >= primaryLsn);
    const onB = await b.agent.readiness(ctx());
    expect(onB.code, onB.reason).toBe('ok');
    expect(onB.reason).toContain('runs as a standby');
    const replayed = parseLsn(await fx.sql(b.address, 'select greatest(pg_last_wal_replay_lsn(), pg_last_wal_receive_lsn())')) ?? -1;
    expect(onB.data?.position?.offset).toBeLessThanOrEqual(replayed);
    expect(onB.data?.position?.label).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(await b.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
  }, 60_000);

  it('promotes the standby; the diverged old primary is demoted (stopped) and rejoins by pg_rewind, following the new primary', async () => {
    expect(await b.agent.demote(ctx())).toMatchObject({ code: 'ok' }); // a replica stays as it is
    expect(await b.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    const promoted = await b.agent.promote(ctx());
    expect(promoted.code, promoted.reason).toBe('ok');
    expect(promoted.reason).toContain('promoted');
    expect(await b.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'primary' } });
    // Split brain on purpose: the old primary takes a write the new one never sees, so its history diverges.
    await fx.sql(a.address, "insert into t values ('lost-on-a')");
    await fx.sql(b.address, "insert into t values ('after-promotion')");

    const demoted = await a.agent.demote(ctx(b.node));
    expect(demoted.code, demoted.reason).toBe('ok');
    expect((await a.agent.monitor(ctx())).code).toBe('not-running');
    const stale = await a.agent.readiness(ctx());
    expect(stale.code).toBe('not-running');
    expect(stale.reason).toContain('a former primary needs `tandem rejoin a --data`');

    const lines: string[] = [];
    const joined = await rejoinAsReplica({ options: a.options, self: a.node, primary: b.node, runner, onProgress: (l) => lines.push(l), timeoutMs: 60_000 });
    expect(joined.code, `${joined.reason}\n${lines.join('\n')}`).toBe('ok');
    expect(joined.data?.method, joined.data?.rewindFailure).toBe('rewind');
    expect(lines.some((l) => l.includes('pg_rewind')), lines.join('\n')).toBe(true);
    expect(await a.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    await until('the new primary row on a', async () => (await fx.sql(a.address, "select count(*) from t where v = 'after-promotion'")) === '1');
    expect(await fx.sql(a.address, 'select string_agg(v, \',\' order by v) from t')).toBe('after-promotion,first');
    expect(await fx.sql(b.address, "select application_name || ' ' || state from pg_stat_replication")).toBe('a streaming');
  }, 90_000);

  it('falls back to a base backup when asked, keeping the old data directory aside', async () => {
    await fx.sql(b.address, "insert into t values ('before-basebackup')");
    const joined = await rejoinAsReplica({ options: a.options, self: a.node, primary: b.node, runner, forceBaseBackup: true, timeoutMs: 60_000 });
    expect(joined.code, joined.reason).toBe('ok');
    expect(joined.data?.method).toBe('basebackup');
    expect(joined.data?.bytes).toBeGreaterThan(1_000_000);
    const aside = joined.data?.movedAsideTo ?? '';
    expect(aside).toMatch(/\/data\.old-\d{8}T\d{6}Z$/);
    expect(existsSync(`${aside}/PG_VERSION`)).toBe(true);
    await until('the pre-backup row on a', async () => (await fx.sql(a.address, "select count(*) from t where v = 'before-basebackup'")) === '1');
    expect(await a.agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    expect(await a.agent.stop(ctx())).toMatchObject({ code: 'ok' });
    expect((await a.agent.monitor(ctx())).code).toBe('not-running');
  }, 90_000);
});
