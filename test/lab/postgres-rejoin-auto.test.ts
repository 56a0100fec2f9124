import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterFromConfig, injectFault, LabWorkload, type CampaignCluster, waitForSecondCopy } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';
import { fencesOf, history, powerCuts, status, streamsFrom, vipHost } from './eligibility-support.js';

/**
 * `rejoin: auto` (issue 13, deliver 4): examples/postgres-zero-loss.yaml with
 * that one line added. The frozen primary is fenced and replaced; powered
 * back on, its own agent sees a newer primary, rewinds its database with
 * pg_rewind and follows it, with no operator: it streams from the new
 * primary, its WAL mirror lets commits wait for it again, and `tandem
 * status` says it could take over.
 */
let cluster: CampaignCluster;
let workload: LabWorkload;
let configDir: string;
let failed = false;

beforeAll(async () => {
  failed = true; // until the cluster serves: a failed start keeps its logs
  ensureBuilt();
  configDir = await mkdtemp(join(tmpdir(), 'tandem-rejoin-auto-'));
  const config = join(configDir, 'postgres-zero-loss-rejoin-auto.yaml');
  const example = await readFile(join(repoRoot, 'examples/postgres-zero-loss.yaml'), 'utf8');
  await writeFile(config, example.replace(/^cluster: orders$/m, 'cluster: orders\n\n# The old primary rewinds itself and follows the new one.\nrejoin: auto'));
  cluster = await clusterFromConfig(config);
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
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('rejoin: auto brings the old primary back as a replica without an operator', () => {
  let oldPrimary: string;
  let newPrimary: string;

  it('a frozen primary is fenced and replaced', async () => {
    oldPrimary = (await vipHost(cluster)) as string;
    newPrimary = cluster.lab.servers.map((s) => s.name).find((s) => s !== oldPrimary) as string;
    const frozen = await injectFault(cluster.lab, { kind: 'freeze-host', host: oldPrimary });
    await expect.poll(() => vipHost(cluster), { timeout: 60_000, interval: 500 }).toBe(newPrimary);
    expect(await cluster.lab.bmcs.state(oldPrimary)).toBe('off');
    await frozen.heal();
  }, 120_000);

  it('powered back on, the old primary is rewound by its own agent and streams from the new primary', async () => {
    const poweredOnAtMs = Date.now();
    await cluster.lab.bmcs.powerOn(oldPrimary);
    await expect.poll(() => streamsFrom(cluster, oldPrimary), { timeout: 240_000, interval: 1000 }).toBe(`streaming ${cluster.lab.address(newPrimary, 'storage')}`);
    expect(await cluster.pg.role(oldPrimary)).toBe('replica');
    const agentLog = await readFile(cluster.lab.logFile(oldPrimary, 'agent'), 'utf8');
    expect(agentLog).toMatch(/rejoin: pg_rewind from /);
    const events = (await history(cluster, newPrimary)).filter((e) => (e.atWallMs ?? 0) >= poweredOnAtMs);
    const rejoins = events.filter((e) => e.node === oldPrimary && e.type === 'action.rejoin');
    expect(rejoins.length, JSON.stringify(events.slice(-30), undefined, 1)).toBeGreaterThanOrEqual(1);
    expect(rejoins.at(-1)?.message).toMatch(/streams from .* again after pg_rewind/);
    // Nobody asked for it: no operator request was made in this run.
    expect(events.filter((e) => e.type.startsWith('admin.'))).toEqual([]);
  }, 300_000);

  it('tandem status says the rejoined node could take over, with its position', async () => {
    await expect.poll(async () => (await status(cluster, newPrimary)).members.find((m) => m.node === oldPrimary)?.facts.eligible, { timeout: 60_000, interval: 1000 }).toBe(true);
    const me = (await status(cluster, newPrimary)).members.find((m) => m.node === oldPrimary);
    expect(me?.facts.ineligible ?? null).toBeNull();
    expect(typeof me?.facts.position).toBe('number');
  }, 90_000);

  it('no acknowledged write lost, never two writable primaries, and only the one fence', async () => {
    expect(await workload.waitAckAfter(Date.now(), 30_000)).toBe(true);
    await workload.stop();
    const verdict = await workload.verify(500);
    expect(verdict.verify.acked).toBeGreaterThan(30);
    expect(verdict.verify.lost).toEqual([]);
    expect(verdict.verify.duplicated).toEqual([]);
    expect(verdict.splitBrain.windows).toEqual([]);
    const events = await history(cluster, newPrimary);
    expect(fencesOf(events, oldPrimary).filter((e) => e.type === 'action.fence')).toHaveLength(1);
    expect(await powerCuts(cluster, oldPrimary)).toBe(1);
    expect(await powerCuts(cluster, newPrimary)).toBe(0);
  }, 120_000);
});
