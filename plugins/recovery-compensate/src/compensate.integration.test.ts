import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock, type CallContext, type NodeInfo, type RecoveryInput } from '@tandem/core';
import { parseLsn, type WalMirrorTransport } from '@tandem/plugin-transport-wal-mirror';
import { WalPair } from '../../transport-wal-mirror/src/test-support/wal-pair.js';
import { CompensateStrategy, UNKNOWN_LOSS } from './compensate-strategy.js';
import { compensateOptions } from './options.js';

const ctx = (timeoutMs = 30_000): CallContext => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs });
const p: NodeInfo = { name: 'p', nics: {} };
const s: NodeInfo = { name: 's', nics: {} };
const input = (acceptDataLoss = false, epoch = 2): RecoveryInput => ({ failed: p, candidate: s, epoch, kind: 'failover', acceptDataLoss });

let pair: WalPair;
let transport: WalMirrorTransport;

function strategy(pair: WalPair, mirrorDir = pair.mirrorDir): CompensateStrategy {
  const options = compensateOptions.parse({ mirrorDir, binDir: pair.bin, standby: { socketDir: pair.socketDir('s'), port: pair.standbyPort, user: 'tandem' } });
  return new CompensateStrategy(options, pair.tools(), new SystemClock());
}

const lsnOf = (text: string): number => {
  const v = parseLsn(text);
  if (v === undefined) throw new Error(`not an LSN: ${text}`);
  return v;
};

beforeAll(async () => {
  pair = await WalPair.create();
  transport = pair.transport();
  expect((await transport.start(ctx())).code).toBe('ok');
  // Only now may commits wait for the mirror: before it runs they would hang.
  await pair.sql('p', "alter system set synchronous_standby_names = 'tandem_mirror_s'", 'select pg_reload_conf()');
  for (let i = 0; i < 50 && (await pair.sql('p', "select sync_state from pg_stat_replication where application_name = 'tandem_mirror_s'")) !== 'sync'; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await pair.sql('p', "select sync_state from pg_stat_replication where application_name = 'tandem_mirror_s'")).toBe('sync');
}, 90_000);

afterAll(async () => {
  await transport?.stop(ctx()).catch(() => undefined);
  await pair?.cleanup();
}, 60_000);

describe('recovery-compensate against real PostgreSQL 15 with a pg_receivewal mirror', () => {
  it('refuses without a readable mirror, and with acceptDataLoss reports the loss as unknown', async () => {
    const missing = strategy(pair, `${pair.root}/no-such-mirror`);
    const refused = await missing.execute(input(false), ctx());
    expect(refused.code).toBe('failed');
    expect(refused.reason).toMatch(/refusing a zero-loss promotion: the WAL mirror is unreadable: cannot read the mirror directory .*ENOENT/);
    const forced = await missing.execute(input(true), ctx());
    expect(forced.code).toBe('ok');
    expect(forced.data).toMatchObject({ compensated: 0, lostBytes: UNKNOWN_LOSS });
    expect((await strategy(pair, pair.root + '/p-sock').execute(input(false), ctx())).reason).toMatch(/holds no WAL segment/);
  });

  it('replays every acknowledged commit from the mirror after the primary dies, then promotes with all rows', async () => {
    await pair.sql('p', 'create table acked (i int primary key)', 'insert into acked select generate_series(1, 10)');
    // S falls behind on purpose: replay paused, then its stream cut, while commits go on (acknowledged only after the mirror's flush).
    await pair.sql('s', 'select pg_wal_replay_pause()');
    await pair.sql('p', 'insert into acked select generate_series(11, 20)');
    await pair.sql('p', 'alter role repl_s nologin', "select pg_terminate_backend(pid) from pg_stat_replication where usename = 'repl_s'");
    for (let i = 21; i <= 40; i++) await pair.sql('p', `insert into acked values (${i})`);
    const lastAcked = lsnOf(await pair.sql('p', 'select pg_current_wal_flush_lsn()'));
    const status = await transport.status(ctx());
    expect(status.code).toBe('ok');
    expect(status.data?.flushed?.offset).toBeGreaterThanOrEqual(lastAcked);
    expect(status.data?.lag).toBeGreaterThan(0);
    await pair.killPrimary();

    const before = lsnOf(await pair.sql('s', 'select pg_last_wal_replay_lsn()'));
    expect(before).toBeLessThan(lastAcked);
    const flight = await transport.inFlight(ctx());
    expect(flight.code).toBe('ok');
    expect(flight.data?.to.offset).toBeGreaterThanOrEqual(lastAcked);

    const compensate = strategy(pair);
    const plan = await compensate.plan(input(), ctx());
    expect(plan.data?.steps.map((x) => x.id)).toEqual(['read-mirror', 'compare', 'feed-mirror', 'resume-replay', 'wait-replay', 'verify']);
    const done = await compensate.execute(input(), ctx(40_000));
    expect(done.code, done.reason).toBe('ok');
    const report = done.data!;
    expect(report.compensated).toBeGreaterThan(0);
    expect(report.lostBytes).toBe(0);
    expect(report.from?.offset).toBe(before);
    expect(report.to?.offset).toBeGreaterThanOrEqual(lastAcked);
    expect(report.from?.label).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(report.compensated).toBe((report.to?.offset ?? 0) - (report.from?.offset ?? 0));
    expect(report.summary).toContain(`${report.from?.label} to ${report.to?.label}`);
    expect(lsnOf(await pair.sql('s', 'select pg_last_wal_replay_lsn()'))).toBeGreaterThanOrEqual(lastAcked);
    expect((await compensate.execute(input(), ctx())).data).toEqual(report);

    expect((await transport.stop(ctx())).code).toBe('ok');
    await pair.ctl('s', 'promote');
    expect(await pair.sql('s', 'select count(*), min(i), max(i), pg_is_in_recovery() from acked')).toBe('40|1|40|f');
  }, 60_000);
});
