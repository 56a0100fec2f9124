import { appendFile, chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir } from '@tandem/testkit/postgres';
import { Lab } from '../lab.js';
import { serversNamed } from '../topology/lab-spec.js';
import { asUser } from '../hosts/boot-script.js';
import { userIds } from '../hosts/user-ids.js';
import { canConnect } from '../hosts/wait-for-port.js';
import { provisionPostgres } from '../postgres/provision-postgres.js';
import { conninfo, renderSettings } from '../postgres/postgres-conf.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';
import { LAB_VIP, claimVip, dropVipAtBoot } from './lab-vip.js';
import { runFailoverTrials } from './run-failover-trials.js';
import type { FailoverTrialsReport } from './trial-records.js';

/**
 * The runner against the baseline lab, which has no HA manager: the test
 * brings a tiny one of its own (3 failed TCP connects 500 ms apart, then
 * promote s2, keep s1's database from booting, move the VIP) and repairs s1
 * with a fresh base backup. Commits are synchronous to s2, so the runner
 * must find 0 lost acknowledged writes, and it must time the restore.
 * pgbench writes through the VIP meanwhile (the runner's background load).
 */
let lab: Lab;
let pg: LabPostgres;
let stopWatching = false;
let failed = true;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function whoIsPrimary(): Promise<string | undefined> {
  const primaries: string[] = [];
  for (const server of pg.servers) {
    if ((await lab.bmcs.state(server)) === 'off') continue;
    const inRecovery = await pg.query({ server }, 'select pg_is_in_recovery()', 5000).catch(() => undefined);
    if (inRecovery === 'f') primaries.push(server);
  }
  return primaries.length === 1 ? primaries[0] : undefined;
}

async function ready(): Promise<boolean> {
  const primary = await whoIsPrimary();
  if (primary === undefined) return false;
  return pg.waitStreaming(3000, pg.servers.filter((s) => s !== primary)).then(() => true, () => false);
}

/** The test's stand-in for an HA manager: fail over s1 -> s2 once. */
async function watchAndFailOver(): Promise<void> {
  let failures = 0;
  while (!stopWatching && failures < 3) {
    failures = (await canConnect(lab.host('client').namespace, lab.address('s1'), pg.port, 1)) ? 0 : failures + 1;
    await sleep(500);
  }
  if (stopWatching) return;
  await pg.query({ server: 's2' }, 'select pg_promote()');
  // Alone now: stop waiting for a synchronous standby that is gone.
  await pg.query({ server: 's2' }, "alter system set synchronous_standby_names = ''");
  await pg.query({ server: 's2' }, 'select pg_reload_conf()');
  await lab.removeService('s1', 'postgres');
  await claimVip(lab, 's2');
}

/** Rebuild s1 (powered on again, its database not started) as a replica of s2. */
async function rebuildS1(): Promise<void> {
  const dataDir = pg.dataDir('s1');
  const { uid, gid } = userIds('postgres');
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { mode: 0o700 });
  await chown(dataDir, uid, gid);
  const from = lab.address('s2', 'storage');
  const backup = asUser('postgres', [join(pg.bin, 'pg_basebackup'), '-h', from, '-p', String(pg.port), '-U', pg.user, '-D', dataDir, '-X', 'stream', '-c', 'fast', '--no-password']);
  await lab.exec('s1', backup, { timeoutMs: 120_000, env: { PGPASSWORD: pg.password } });
  const primaryConninfo = conninfo({ host: from, port: pg.port, user: pg.user, password: pg.password, application_name: 's1' });
  await appendFile(join(dataDir, 'postgresql.conf'), renderSettings({ cluster_name: "'s1'", unix_socket_directories: `'${pg.socketDir('s1')}'`, primary_conninfo: `'${primaryConninfo.replace(/'/g, "''")}'` }));
  await appendFile(join(dataDir, 'standby.signal'), '');
  await chown(join(dataDir, 'standby.signal'), uid, gid);
  await pg.startServer('s1');
}

beforeAll(async () => {
  lab = await Lab.up({ servers: serversNamed(2) }, { needsPostgres: () => Boolean(postgresBinDir()) });
  pg = await provisionPostgres(lab, { primary: 's1', replicas: ['s2'], settings: { synchronous_standby_names: "'s2'" } });
  for (const server of pg.servers) await dropVipAtBoot(lab, server);
  await claimVip(lab, 's1');
}, 120_000);

afterAll(async () => {
  stopWatching = true;
  await lab?.down({ keepDir: failed });
  if (failed && lab) console.error(`lab logs kept in ${lab.dir}`);
});

describe('runFailoverTrials', () => {
  it('times a power-cut failover under pgbench load through the VIP and finds no acknowledged write lost', async () => {
    const watcher = watchAndFailOver();
    let report: FailoverTrialsReport;
    try {
      report = await runFailoverTrials({ lab, pg, serviceAddress: LAB_VIP, trials: 1, loadClients: 2, whoIsPrimary, ready, repair: rebuildS1, settleMs: 500, restoreTimeoutMs: 60_000, readyTimeoutMs: 90_000, log: () => undefined });
    } finally {
      stopWatching = true;
      await watcher;
    }
    const [trial] = report.trials;
    expect(trial?.error).toBeUndefined();
    expect(trial).toMatchObject({ oldPrimary: 's1', restoredBy: 's2', newPrimary: 's2', lostSeqs: [] });
    // Detection alone takes 3 connects 500 ms apart; anything near the deadline means the runner waited wrongly.
    expect(trial?.restoreMs).toBeGreaterThan(1000);
    expect(trial?.restoreMs).toBeLessThan(30_000);
    expect(report.summary).toMatchObject({ trials: 1, restored: 1, lostAcked: 0, trialsWithLoss: 0, splitBrainWindows: 0, duplicated: 0 });
    expect(report.summary.acked).toBeGreaterThan(10);
    expect(report.summary.restoreMs?.p50).toBe(trial?.restoreMs);
    // pgbench's commits were counted, and its loop started it again after the failover (its first run's connections died with s1).
    expect(report.load?.ackedTransactions).toBeGreaterThan(0);
    expect(report.load?.runs).toBeGreaterThanOrEqual(2);
    expect(report.load?.lostAtLeast).toBe(0);
    expect(await pg.role('s1')).toBe('replica');
    failed = false;
  }, 240_000);
});
