import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterFromConfig, injectFault, LabWorkload, type ActiveFault, type CampaignCluster, waitForSecondCopy } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';
import { fencesOf, history, powerCuts, sleep, status, streamsFrom, tandemJson, vipHost } from './eligibility-support.js';

/**
 * Issue 13's fence loop, reproduced with real agents (examples/postgres-zero-loss.yaml):
 * the primary is frozen and fenced, the standby takes over, and the new
 * primary is isolated right after, so it loses its lease and stops its
 * database. The old primary is powered back on without a rejoin: before
 * eligibility it took the lease every few seconds, powered the node with the
 * data off and failed its promotion, for ever. Now it stays out of elections
 * (a stale former primary), fences nobody, and the cluster says who holds the
 * writes; the new primary's agent, restarted, comes back as the last primary
 * and serves again; the old one is rejoined; no acknowledged write is lost.
 */
let cluster: CampaignCluster;
let workload: LabWorkload;
let failed = false;

beforeAll(async () => {
  failed = true; // until the cluster serves: a failed start keeps its logs
  ensureBuilt();
  cluster = await clusterFromConfig(join(repoRoot, 'examples/postgres-zero-loss.yaml'));
  workload = LabWorkload.start(cluster.lab, cluster.pg, cluster.serviceAddress);
  expect(await workload.waitAckAfter(0, 60_000)).toBe(true);
  await waitForSecondCopy(cluster, 60_000);
  failed = false;
}, 180_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await workload?.stop();
  await cluster?.lab.down({ keepDir: failed });
  if (failed && cluster) console.error(`lab logs kept in ${cluster.lab.dir}`);
});

describe('no fence loop: the node with the data comes back as primary (issue 13)', () => {
  let oldPrimary: string;
  let dataHolder: string;
  let takeoverEpoch = 0;
  let isolation: ActiveFault | undefined;
  let poweredOnAtMs = 0;
  const others = (s: string): string => cluster.lab.servers.map((x) => x.name).find((x) => x !== s) as string;

  it('a frozen primary is fenced through its BMC and the standby takes over', async () => {
    oldPrimary = (await vipHost(cluster)) as string;
    dataHolder = others(oldPrimary);
    const frozen = await injectFault(cluster.lab, { kind: 'freeze-host', host: oldPrimary });
    await expect.poll(async () => (await status(cluster, dataHolder)).lease?.holder, { timeout: 60_000, interval: 1000 }).toBe(dataHolder);
    await expect.poll(() => vipHost(cluster), { timeout: 30_000, interval: 500 }).toBe(dataHolder);
    takeoverEpoch = (await status(cluster, dataHolder)).lease?.epoch ?? 0;
    expect(await cluster.lab.bmcs.state(oldPrimary)).toBe('off');
    expect(await workload.waitAckAfter(Date.now(), 20_000), 'writes on the new primary').toBe(true);
    // Isolated right after the takeover, as in the issue's run: it loses its lease and demotes.
    isolation = await injectFault(cluster.lab, { kind: 'isolate', host: dataHolder });
    await frozen.heal();
  }, 120_000);

  it('the old primary, powered back on but never rejoined, stays out of elections and fences nobody', async () => {
    poweredOnAtMs = Date.now();
    await cluster.lab.bmcs.powerOn(oldPrimary);
    // Its agent up, the new primary's lease lapsed (8 s), then well past several of the old loop's ~8 s rounds.
    await expect.poll(async () => (await status(cluster, oldPrimary).catch(() => undefined))?.members.some((m) => m.node === oldPrimary), { timeout: 60_000, interval: 1000 }).toBe(true);
    await expect.poll(async () => (await status(cluster, oldPrimary)).lease, { timeout: 30_000, interval: 1000 }).toBeUndefined();
    await sleep(40_000);
    const view = await status(cluster, oldPrimary);
    expect(view.lease, 'nobody may hold the lease: the only live node is a stale former primary').toBeUndefined();
    const me = view.members.find((m) => m.node === oldPrimary);
    expect(me?.facts.eligible, JSON.stringify(me)).toBe(false);
    expect(String(me?.facts.ineligible)).toContain('has not rejoined');
    expect(await powerCuts(cluster, dataHolder), 'the node with the data was powered off').toBe(0);
    const all = await history(cluster, oldPrimary);
    expect(fencesOf(all, dataHolder)).toEqual([]);
    const events = all.filter((e) => (e.atWallMs ?? 0) >= poweredOnAtMs);
    expect(events.filter((e) => e.node === oldPrimary && e.type === 'action.acquire-lease')).toEqual([]);
    // Said once on the edge, not every cycle; and the cluster names who holds the writes and the ways out.
    expect(events.filter((e) => e.node === oldPrimary && e.type === 'ha.ineligible')).toHaveLength(1);
    const alerts = events.filter((e) => e.type === 'alert.no-eligible-node');
    expect(alerts, JSON.stringify(events.slice(-30), undefined, 1)).toHaveLength(1);
    expect(alerts[0]?.message).toContain(`${dataHolder} (primary at epoch ${takeoverEpoch}) holds every acknowledged write`);
    expect(alerts[0]?.message).toContain(`tandem failover --to ${oldPrimary} --accept-data-loss`);
    expect(await cluster.pg.role(oldPrimary).catch((e: Error) => e.message)).not.toBe('primary');
  }, 180_000);

  it('the new primary back on the network and its agent restarted: it is primary again, promoted without compensation, never powered off', async () => {
    await isolation?.heal();
    await cluster.lab.restartService(dataHolder, 'agent');
    const restartedAtMs = Date.now();
    await expect.poll(() => vipHost(cluster), { timeout: 90_000, interval: 500 }).toBe(dataHolder);
    expect(await cluster.pg.role(dataHolder)).toBe('primary');
    expect(await workload.waitAckAfter(Date.now(), 30_000), 'writes after the data holder is back').toBe(true);
    const view = await status(cluster, dataHolder);
    expect(view.lease?.holder).toBe(dataHolder);
    expect(view.lease?.epoch).toBeGreaterThan(takeoverEpoch);
    const events = await history(cluster, dataHolder);
    const since = events.filter((e) => (e.atWallMs ?? 0) >= restartedAtMs - 1000);
    expect(since.filter((e) => e.node === dataHolder && e.type.startsWith('alert.')), JSON.stringify(since, undefined, 1)).toEqual([]);
    expect(since.filter((e) => e.node === dataHolder && e.type === 'action.compensate')).toEqual([]);
    expect(await powerCuts(cluster, dataHolder), 'the node with the data was powered off').toBe(0);
    expect(fencesOf(events, dataHolder)).toEqual([]);
    // The old primary was cut by the takeover's fence; the data holder's new election may fence it again
    // (its database is down, so its probes fail): that is a stale node, not the one with the data. Reported, not judged.
    console.log(`fences of ${oldPrimary}: ${fencesOf(events, oldPrimary).map((e) => `${e.node} ${e.type} ${e.message.slice(0, 120)}`).join(' | ')}; power cuts: ${await powerCuts(cluster, oldPrimary)}`);
    expect(await powerCuts(cluster, oldPrimary)).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it('the old primary rejoins; no acknowledged write was lost and there were never two writable primaries', async () => {
    await tandemJson(cluster, dataHolder, ['rejoin', oldPrimary, '--data'], 300_000);
    await expect.poll(() => streamsFrom(cluster, oldPrimary), { timeout: 60_000, interval: 500 }).toBe(`streaming ${cluster.lab.address(dataHolder, 'storage')}`);
    await expect.poll(async () => (await status(cluster, dataHolder)).members.find((m) => m.node === oldPrimary)?.facts.eligible, { timeout: 60_000, interval: 1000 }).toBe(true);
    await workload.stop();
    const verdict = await workload.verify(500);
    expect(verdict.verify.acked).toBeGreaterThan(50);
    expect(verdict.verify.lost).toEqual([]);
    expect(verdict.verify.duplicated).toEqual([]);
    expect(verdict.splitBrain.windows).toEqual([]);
    expect(await powerCuts(cluster, dataHolder)).toBe(0);
  }, 420_000);
});
