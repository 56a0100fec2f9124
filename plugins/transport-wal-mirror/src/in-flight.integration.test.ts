import { rename } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock, type CallContext } from '@tandem/core';
import { parseLsn } from './lsn.js';
import type { WalMirrorTransport } from './wal-mirror-transport.js';
import { WalPair } from './test-support/wal-pair.js';

const clock = new SystemClock();
const callCtx = (timeoutMs = 20_000): CallContext => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs });

let pair: WalPair;
let t: WalMirrorTransport;

beforeAll(async () => {
  pair = await WalPair.create();
  t = pair.transport();
}, 90_000);

afterAll(async () => {
  await t?.stop(callCtx()).catch(() => undefined);
  await pair?.cleanup();
}, 60_000);

/**
 * The core asks every transport's inFlight before a replica stands for
 * election (the "readable" part of eligibility): a healthy replica whose
 * receiver runs must answer ok, and an unreadable mirror must say why.
 */
describe('inFlight as an eligibility check (real PostgreSQL 15, pg_receivewal)', () => {
  it('is ok on a healthy standby whose receiver runs, with a range from replay to the mirror end', async () => {
    expect((await t.start(callCtx())).code).toBe('ok');
    await pair.sql('p', 'create table w (v int)', 'insert into w select generate_series(1, 1000)');
    const endsAtMs = clock.monotonicMs() + 20_000;
    let o = await t.inFlight(callCtx());
    while (o.code !== 'ok' && clock.monotonicMs() < endsAtMs) {
      await clock.sleep(200);
      o = await t.inFlight(callCtx());
    }
    expect(o.code, o.reason).toBe('ok');
    expect(o.data?.location).toBe(pair.mirrorDir);
    expect(o.data!.from.offset).toBeLessThanOrEqual(o.data!.to.offset);
    // Asked again and again, as the core does every few seconds, it stays ok.
    for (let i = 0; i < 3; i++) expect((await t.inFlight(callCtx())).code).toBe('ok');
    const replay = parseLsn(await pair.sql('s', 'select pg_last_wal_replay_lsn()')) ?? -1;
    expect(o.data!.from.offset).toBeLessThanOrEqual(replay);
  }, 60_000);

  it('fails and says so when the mirror directory cannot be read, and is ok again once it is back', async () => {
    const aside = `${pair.mirrorDir}-aside`;
    await rename(pair.mirrorDir, aside);
    try {
      const o = await t.inFlight(callCtx());
      expect(o.code).toBe('failed');
      expect(o.reason).toContain(`the WAL mirror is unreadable: cannot read the mirror directory ${pair.mirrorDir}: it does not exist (ENOENT)`);
    } finally {
      await rename(aside, pair.mirrorDir);
    }
    const back = await t.inFlight(callCtx());
    expect(back.code, back.reason).toBe('ok');
  }, 60_000);

  it('fails and says so when the local standby cannot be asked for its replay position', async () => {
    const broken = pair.transport({ standby: { socketDir: `${pair.root}/no-such-socket-dir`, port: pair.standbyPort, user: 'tandem' } });
    const o = await broken.inFlight(callCtx());
    expect(o.code).toBe('failed');
    expect(o.reason).toContain("cannot read the standby's replay position");
  }, 60_000);
});
