import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecaCommandRunner, SystemClock, type CallContext, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { PgTools, PostgresAgent, postgresAgentOptions } from '@tandem/plugin-resource-postgres';
import { walMirrorOptions } from './options.js';
import { WalMirrorTransport } from './wal-mirror-transport.js';
import { WalPair } from './test-support/wal-pair.js';

const ctx = (timeoutMs = 30_000): ResourceCallContext => ({ signal: AbortSignal.timeout(timeoutMs), timeoutMs, epoch: 2 });
const p: NodeInfo = { name: 'p', nics: {} };
const s: NodeInfo = { name: 's', nics: {} };

let pair: WalPair;
const stopLater: WalMirrorTransport[] = [];

/** The resource agent of S, managing synchronous_standby_names: its only peer is P. */
function agentOfS(): PostgresAgent {
  const options = postgresAgentOptions.parse({
    dataDir: pair.dataDir('s'),
    binDir: pair.bin,
    port: pair.standbyPort,
    socketDir: pair.socketDir('s'),
    superuser: 'tandem',
    password: { env: 'TANDEM_TEST_SYNC_PW' },
    syncStandbys: {},
  });
  options.password.resolve({ TANDEM_TEST_SYNC_PW: 'unused-with-trust' });
  return new PostgresAgent(new PgTools(options, new ExecaCommandRunner(), pair.bin), { self: s, nodes: [p, s] }, new SystemClock());
}

/** A mirror as P's host would run it once P is rejoined: streaming from S (now the primary) under P's mirror name. */
function mirrorOfP(): WalMirrorTransport {
  const options = walMirrorOptions.parse({
    mirrorDir: join(pair.root, 'mirror-p'),
    binDir: pair.bin,
    primaryHost: '127.0.0.1',
    port: pair.standbyPort,
    user: 'tandem',
    standby: { socketDir: pair.socketDir('s'), port: pair.standbyPort, user: 'tandem' },
  });
  const t = new WalMirrorTransport(options, pair.tools(), { self: p, nodes: [p, s] }, new SystemClock());
  stopLater.push(t);
  return t;
}

const callCtx = (): CallContext => ({ signal: AbortSignal.timeout(30_000), timeoutMs: 30_000 });

beforeAll(async () => {
  pair = await WalPair.create();
}, 90_000);

afterAll(async () => {
  for (const t of stopLater) await t.stop(callCtx()).catch(() => undefined);
  await pair?.cleanup();
}, 60_000);

describe('a stale mirror is set aside, and a promoted primary re-arms synchronous replication (real PostgreSQL 15)', () => {
  it('sets a mirror the standby has replayed past aside on start, and keeps one generation of it', async () => {
    const t = pair.transport();
    stopLater.push(t);
    expect((await t.start(callCtx())).code).toBe('ok');
    await pair.sql('p', 'create table t (i int)', 'insert into t values (1)', 'select pg_switch_wal()', 'insert into t values (2)');
    await waitFor(async () => (await t.status(callCtx())).data?.lag === 0, 'the standby to replay the mirror');
    expect((await t.stop(callCtx())).code).toBe('ok');
    await pair.sql('p', 'insert into t values (3)');
    const restarted = await t.start(callCtx());
    expect(restarted.code, restarted.reason).toBe('ok');
    expect(restarted.reason).toContain(`set aside to ${pair.mirrorDir}.previous`);
    expect(existsSync(`${pair.mirrorDir}.previous`)).toBe(true);
    // A mirror ahead of replay is what compensation needs: with replay paused, a restart keeps it.
    await pair.sql('s', 'select pg_wal_replay_pause()');
    await pair.sql('p', 'insert into t values (4)');
    await waitFor(async () => ((await t.status(callCtx())).data?.lag ?? 0) > 0, 'the mirror to get ahead of replay');
    expect((await t.stop(callCtx())).code).toBe('ok');
    const kept = await t.start(callCtx());
    expect(kept.reason).not.toContain('set aside');
    expect((await t.stop(callCtx())).code).toBe('ok');
    await pair.sql('s', 'select pg_wal_replay_resume()');
  }, 60_000);

  it('promotes with synchronous replication off, then turns it on once the peer mirror streams, and never off again', async () => {
    await pair.sql('p', "alter system set synchronous_standby_names = 'ANY 1 (tandem_mirror_s)'", 'select pg_reload_conf()');
    await pair.killPrimary();
    const agent = agentOfS();
    const promoted = await agent.promote(ctx());
    expect(promoted.code, promoted.reason).toBe('ok');
    expect(promoted.reason).toContain('synchronous replication off until a standby of tandem_mirror_p streams');
    expect(await pair.sql('s', 'show synchronous_standby_names')).toBe('');
    // Commits are acknowledged at once, not held for a peer that is powered off.
    await pair.sql('s', "set statement_timeout = '5s'", 'insert into t values (10)');
    const degraded = await agent.monitor(ctx());
    expect(degraded.reason).toContain('synchronous replication off until one of tandem_mirror_p streams');
    // The core keeps the store's sole-copy mark while this says true (issue 13: no third server replaces it).
    expect(agent.soleCopyAfterPromote).toBe(true);
    expect(degraded.data?.soleCopy).toBe(true);

    const mirror = mirrorOfP();
    expect((await mirror.start(callCtx())).code).toBe('ok');
    await waitFor(async () => (await agent.monitor(ctx())).reason.includes('synchronous replication back on'), 'the monitor to re-arm');
    expect(await pair.sql('s', 'show synchronous_standby_names')).toBe('ANY 1 ("tandem_mirror_p")');
    expect((await agent.monitor(ctx())).data?.soleCopy).toBe(false);
    await pair.sql('s', 'insert into t values (11)');
    expect(await pair.sql('s', "select sync_state from pg_stat_replication where application_name = 'tandem_mirror_p'")).toBe('quorum');

    // Losing the mirror holds commits (the zero-loss promise): the monitor does not turn synchronous replication off.
    expect((await mirror.stop(callCtx())).code).toBe('ok');
    const afterLoss = await agent.monitor(ctx());
    expect(afterLoss.code).toBe('ok');
    expect(afterLoss.reason).not.toContain('synchronous replication off');
    expect(await pair.sql('s', 'show synchronous_standby_names')).toBe('ANY 1 ("tandem_mirror_p")');
  }, 90_000);
});

async function waitFor(check: () => Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
