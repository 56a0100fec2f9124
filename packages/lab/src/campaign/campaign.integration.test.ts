import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresBinDir } from '@tandem/testkit/postgres';
import { Lab } from '../lab.js';
import { asUser } from '../hosts/boot-script.js';
import { provisionPostgres } from '../postgres/provision-postgres.js';
import { serversNamed } from '../topology/lab-spec.js';
import { runCampaign } from './run-campaign.js';
import type { CampaignReport } from './campaign-report.js';
import { LabWorkload } from './workload-run.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const lab of labs) await lab.down().catch(() => undefined);
});

describe('fault campaign', () => {
  it('runs a short seeded campaign and reports outages, restore times and no lost writes', async () => {
    const outFile = join(tmpdir(), `tandem-campaign-${process.pid}.json`);
    const report = await runCampaign({ seed: 13, faults: 3, kinds: ['power-off', 'isolate', 'freeze-postgres'], minHoldMs: 1500, maxHoldMs: 2500, settleMs: 1000, outFile, log: () => undefined });
    expect(JSON.parse(await readFile(outFile, 'utf8')) as CampaignReport).toEqual(report);
    expect(report.faults).toBe(3);
    expect(report.writes.acked).toBeGreaterThan(50);
    expect(report.writes.lostAcked).toBe(0);
    expect(report.splitBrain.windows).toBe(0);
    // Without an HA manager nothing fails over, and every fault on the primary is an outage until healed.
    expect(report.failovers.count).toBe(0);
    // Seed 13 plans an isolation and two power cuts, all of the primary.
    expect(report.steps.filter((s) => s.realFailure).length).toBe(3);
    for (const step of report.steps.filter((s) => s.realFailure)) {
      expect(step.restoreMs, step.description).toBeGreaterThan(1000);
    }
    expect(report.restore.unrestored).toBe(0);
    expect(report.ok).toBe(true);
  }, 180_000);
});

describe('checkers in the lab', () => {
  it('catch a planted loss of acknowledged writes and a planted split brain', async () => {
    const lab = await Lab.up({ servers: serversNamed(2), store: {} }, { needsPostgres: () => Boolean(postgresBinDir()) });
    labs.push(lab);
    const pg = await provisionPostgres(lab, { primary: 's1', replicas: ['s2'] });
    const workload = LabWorkload.start(lab, pg, lab.address('s1'));
    expect(await workload.waitAckAfter(0, 30_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Planted loss: two acknowledged rows disappear on the primary.
    const acked = (await workload.read()).attempts.filter((a) => a.outcome === 'acked').slice(2, 4).map((a) => a.seq);
    await pg.query({ server: 's1' }, `delete from tandem_lab_writes where seq in (${acked.join(',')})`);
    // Planted split brain: the replica is promoted behind everyone's back, so two servers accept writes.
    await lab.exec('s2', asUser('postgres', [join(pg.bin, 'pg_ctl'), 'promote', '-w', '-D', pg.dataDir('s2')]));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await workload.stop();
    const verdict = await workload.verify(500);
    expect(verdict.verify.lost).toEqual(acked);
    expect(verdict.splitBrain.windows.length).toBeGreaterThan(0);
    expect(verdict.splitBrain.windows[0]?.hosts).toEqual(['s1', 's2']);
    expect(verdict.splitBrain.windows[0]?.evidence).toContain('writable-probes');
  }, 120_000);
});
