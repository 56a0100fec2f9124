import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterFromConfig, injectFault, LabWorkload, runTandemCli, type CampaignCluster, waitForSecondCopy } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';

/**
 * examples/postgres-zero-loss.yaml run by real agents in the lab: PostgreSQL
 * managed by resource-postgres, the VIP by resource-vip, a WAL mirror on the
 * standby that the primary waits for, compensation before promotion, IPMI
 * fencing. The primary is powered off under load and replaced; `tandem
 * rejoin --data` brings it back as a streaming replica; a switchover back to
 * it follows; and through all of it no acknowledged write is lost.
 */
let cluster: CampaignCluster;
let workload: LabWorkload;
let failed = false;

/** Run the tandem CLI as an operator logged in on `host`. */
const tandem = (host: string, args: readonly string[], timeoutMs = 120_000): Promise<string> => runTandemCli(cluster, host, args, timeoutMs);

/** The server answering writes on the VIP, as the client sees it. */
async function vipHost(): Promise<string | undefined> {
  return (await cluster.pg.query({ address: cluster.serviceAddress }, "select current_setting('cluster_name')", 5000).catch(() => '')) || undefined;
}

async function streamsFrom(server: string): Promise<string> {
  return cluster.pg.query({ server }, "select coalesce((select status || ' ' || sender_host from pg_stat_wal_receiver), 'none')", 5000).catch((e: Error) => e.message);
}

beforeAll(async () => {
  ensureBuilt();
  cluster = await clusterFromConfig(join(repoRoot, 'examples/postgres-zero-loss.yaml'));
  workload = LabWorkload.start(cluster.lab, cluster.pg, cluster.serviceAddress);
  expect(await workload.waitAckAfter(0, 60_000)).toBe(true);
  await waitForSecondCopy(cluster, 60_000);
}, 180_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await workload?.stop();
  await cluster?.lab.down({ keepDir: failed });
  if (failed) console.error(`lab logs kept in ${cluster.lab.dir}`);
});

describe('PostgreSQL with a VIP under real agents', () => {
  let oldPrimary: string;
  let newPrimary: string;
  let rejoinedAtMs = 0;

  it('replaces a powered-off primary: the VIP answers from another server', async () => {
    oldPrimary = (await vipHost()) as string;
    expect(oldPrimary).toMatch(/^s\d$/);
    await injectFault(cluster.lab, { kind: 'power-off', host: oldPrimary });
    // Unanswered while the failover runs (undefined), then answered by another server.
    await expect.poll(async () => ((newPrimary = (await vipHost()) as string) ?? oldPrimary) !== oldPrimary, { timeout: 60_000, interval: 500 }).toBe(true);
    expect(newPrimary).toMatch(/^s\d$/);
    expect(await cluster.pg.role(newPrimary)).toBe('primary');
  }, 90_000);

  it('tandem rejoin --data powers the old primary on and has its agent rewind it into a streaming replica of the new one', async () => {
    const operatorHost = cluster.lab.servers.map((s) => s.name).find((s) => s !== oldPrimary && s !== newPrimary) ?? newPrimary;
    const out = await tandem(operatorHost, ['rejoin', oldPrimary, '--data'], 300_000);
    expect(await cluster.lab.bmcs.state(oldPrimary)).toBe('on');
    expect(out).toMatch(/streams from .* again after pg_rewind/);
    // Progress, step by step, in the old primary's agent log (what an operator follows during a long copy).
    const agentLog = await readFile(cluster.lab.logFile(oldPrimary, 'agent'), 'utf8');
    expect(agentLog).toMatch(/rejoin: checkpoint on s\d, so pg_rewind sees its current timeline/);
    expect(agentLog).toMatch(/rejoin: pg_rewind from /);
    await expect.poll(() => streamsFrom(oldPrimary), { timeout: 60_000, interval: 500 }).toBe(`streaming ${cluster.lab.address(newPrimary, 'storage')}`);
    expect(await cluster.pg.role(oldPrimary)).toBe('replica');
    rejoinedAtMs = Date.now();
  }, 360_000);

  it('a switchover back to the rejoined server loses no acknowledged write', async () => {
    await tandem(newPrimary, ['switchover', '--to', oldPrimary]);
    try {
      await expect.poll(vipHost, { timeout: 30_000, interval: 500 }).toBe(oldPrimary);
    } catch (error) {
      // What a 3 a.m. reader needs: who holds the address, and where the client sends it.
      for (const s of cluster.lab.servers) console.error(s.name, (await cluster.lab.exec(s.name, ['ip', '-br', 'addr', 'show', 'eth0'])).stdout.trim());
      console.error('client:', (await cluster.lab.exec('client', ['ip', 'neigh', 'show', cluster.serviceAddress])).stdout.trim());
      throw error;
    }
    const switchedAt = Date.now();
    expect(await workload.waitAckAfter(switchedAt, 30_000)).toBe(true);
    await workload.stop();
    const verdict = await workload.verify(500);
    expect(verdict.splitBrain.windows).toEqual([]);
    expect(verdict.verify.lost).toEqual([]);
    expect(verdict.verify.duplicated).toEqual([]);
    // Writes went on across all of it: the new primary acknowledges alone until the rejoined mirror streams, then waits for it again.
    expect((await workload.read()).attempts.filter((a) => a.outcome === 'acked' && a.startMs > rejoinedAtMs).length).toBeGreaterThan(10);
    expect(verdict.verify.acked).toBeGreaterThan(40);
  }, 120_000);
});
