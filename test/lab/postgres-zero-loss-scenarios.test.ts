import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterFromConfig, injectFault, LabWorkload, runTandemCli, type CampaignCluster, waitForSecondCopy } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';

/**
 * The zero-loss example under the faults issue 5 names, one cluster for all:
 * faults that must NOT cause a failover, a frozen primary (fenced, replaced),
 * a standby cut off from its gateway (must not promote), and at the end the
 * client's verdict: no acknowledged write lost, no split brain.
 */
let cluster: CampaignCluster;
let workload: LabWorkload;
let failed = false;

async function tandemJson<T>(host: string, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  return JSON.parse(await runTandemCli(cluster, host, [...args, '--json'], timeoutMs)) as T;
}

interface Status {
  readonly lease?: { readonly holder: string; readonly epoch: number };
}
interface EventsOut {
  readonly events: readonly { readonly node: string; readonly type: string; readonly message: string }[];
}

const servers = (): string[] => cluster.lab.servers.map((s) => s.name);
const other = (server: string): string => servers().find((s) => s !== server) as string;

async function lease(from: string): Promise<{ holder: string; epoch: number } | undefined> {
  return (await tandemJson<Status>(from, ['status'])).lease;
}

async function vipHost(): Promise<string | undefined> {
  return (await cluster.pg.query({ address: cluster.serviceAddress }, "select current_setting('cluster_name')", 5000).catch(() => '')) || undefined;
}

/** Power the old primary back on and have its agent rewind it into a replica of the new one. */
async function rejoin(oldPrimary: string, operatorHost: string): Promise<void> {
  await tandemJson(operatorHost, ['rejoin', oldPrimary, '--data'], 300_000);
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

describe('zero-loss PostgreSQL under faults', () => {
  it('does not fail over for a private NIC down, a blip shorter than the confirmation window, a short store outage, or a Redis restart', async () => {
    const primary = (await vipHost()) as string;
    const before = await lease(other(primary));
    expect(before?.holder).toBe(primary);
    const faults = [
      { spec: { kind: 'nic-down', host: primary, nic: 'privateA' } as const, holdMs: 5000 },
      // 3 confirmations at 500 ms: a 1 s cut must not be confirmed.
      { spec: { kind: 'isolate', host: primary } as const, holdMs: 1000 },
      { spec: { kind: 'store-down' } as const, holdMs: 2000 },
    ];
    for (const f of faults) {
      const fault = await injectFault(cluster.lab, f.spec);
      await new Promise((resolve) => setTimeout(resolve, f.holdMs));
      await fault.heal();
      expect(await workload.waitAckAfter(Date.now(), 20_000), `writes after ${f.spec.kind}`).toBe(true);
    }
    // Redis with its append-only file, as store-redis asks: the lease and epoch survive a restart.
    await cluster.lab.restartService('store', 'redis');
    expect(await workload.waitAckAfter(Date.now(), 20_000), 'writes after a Redis restart').toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await lease(other(primary))).toEqual(expect.objectContaining({ holder: primary, epoch: before?.epoch }));
  }, 120_000);

  it('fences a frozen primary through its BMC and replaces it; its late writes cannot happen', async () => {
    const primary = (await vipHost()) as string;
    const frozen = await injectFault(cluster.lab, { kind: 'freeze-host', host: primary });
    await expect.poll(async () => (await lease(other(primary)))?.holder, { timeout: 60_000, interval: 1000 }).toBe(other(primary));
    await expect.poll(vipHost, { timeout: 30_000, interval: 500 }).toBe(other(primary));
    // Fenced by power: nothing of the old primary runs any more, so resuming it resumes nothing.
    expect(await cluster.lab.bmcs.state(primary)).toBe('off');
    expect(await cluster.lab.pids(primary)).toEqual([]);
    await frozen.heal();
    await rejoin(primary, other(primary));
    expect(await cluster.pg.role(primary)).toBe('replica');
  }, 420_000);

  it('a standby cut off from its gateway does not promote when the primary fails, and says why', async () => {
    const primary = (await vipHost()) as string;
    const standby = other(primary);
    const cut = await injectFault(cluster.lab, { kind: 'drop', from: standby, to: 'gateway', twoWay: true });
    await injectFault(cluster.lab, { kind: 'power-off', host: primary });
    // Well past the lease (8 s) and the confirmations: the standby must still not have promoted.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(await cluster.pg.role(standby)).toBe('replica');
    const { events } = await tandemJson<EventsOut>(standby, ['events', '--limit', '200']);
    expect(events.some((e) => e.node === standby && e.type === 'action.check-gateway' && / failed \(|timeout \(/.test(e.message))).toBe(true);
    // With the gateway back, it takes over.
    await cut.heal();
    await expect.poll(vipHost, { timeout: 60_000, interval: 500 }).toBe(standby);
    await rejoin(primary, standby);
  }, 420_000);

  it('lost no acknowledged write and never had two writable primaries', async () => {
    await workload.stop();
    const verdict = await workload.verify(500);
    expect(verdict.verify.acked).toBeGreaterThan(50);
    expect(verdict.verify.lost).toEqual([]);
    expect(verdict.verify.duplicated).toEqual([]);
    expect(verdict.splitBrain.windows).toEqual([]);
  }, 120_000);
});
