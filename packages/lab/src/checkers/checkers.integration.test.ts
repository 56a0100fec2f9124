import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '@tandem/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labBinPath } from '../lab-bin.js';
import { readStoredRows } from './read-stored-rows.js';
import { readWorkloadLog, type WorkloadLog } from './read-workload-log.js';
import { startCheckerProcess } from './run-checker-process.js';
import type { VerifyReport } from './verify-report.js';
import { verifyWrites } from './verify-writes.js';
import { detectSplitBrain } from './split-brain.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const target = (s: PostgresServer): string => `${s.host}:${s.port}`;
const credentials = (s: PostgresServer): string[] => ['--user', s.user, '--database', s.database];
const pgTarget = (s: PostgresServer): { host: string; port: number; user: string; password: string; database: string } => ({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database });

async function sql(server: PostgresServer, text: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ ...pgTarget(server), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Wait until the workload's log holds at least `count` acked writes (the process takes a moment to start). */
async function waitForAcked(out: string, count: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const log = await readWorkloadLog(out).catch(() => undefined);
    if ((log?.attempts.filter((w) => w.outcome === 'acked').length ?? 0) >= count) return;
    if (performance.now() - started > timeoutMs) throw new Error(`the workload did not ack ${count} writes within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Run the compiled workload main for durationMs (it stops itself) and read its log. */
async function runWorkload(server: PostgresServer, out: string, extra: string[], durationMs: number): Promise<WorkloadLog> {
  const proc = startCheckerProcess(labBinPath('checkers/workload-main.js'), ['--target', target(server), ...credentials(server), '--out', out, '--duration-ms', String(durationMs), ...extra], { PGPASSWORD: server.password });
  const timer = setTimeout(() => void proc.stop(), durationMs + 15_000);
  const result = await proc.done;
  clearTimeout(timer);
  expect(result.code, result.stderr).toBe(0);
  return readWorkloadLog(out);
}

describe('lab checkers against real PostgreSQL on 127.0.0.1', () => {
  const servers: PostgresServer[] = [];
  let dir: string;
  let a: PostgresServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-checkers-'));
    a = await startPostgres({ clusterName: 'a' });
    servers.push(a);
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (process.env.TANDEM_KEEP_LOGS === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a clean 1.5 s run: every acked write is stored once and in order (verify-main process)', async () => {
    const log = await runWorkload(a, join(dir, 'clean.jsonl'), ['--writer', 'clean'], 1500);
    expect(log.attempts.length).toBeGreaterThan(10);
    const verifier = startCheckerProcess(labBinPath('checkers/verify-main.js'), ['--target', target(a), ...credentials(a), '--log', join(dir, 'clean.jsonl')], { PGPASSWORD: a.password });
    const result = await verifier.done;
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.verify).toMatchObject({ lost: [], duplicated: [], outOfOrder: 0, unexpected: [], failedButStored: [], failed: 0, uncertain: 0 });
    expect(report.verify.acked).toBe(log.attempts.length);
    expect(report.verify.stored).toBe(report.verify.acked);
    expect(report.splitBrain.windows).toEqual([]);
    expect(log.attempts.every((w) => w.host === 'a')).toBe(true);
  });

  it('catches planted loss, duplicates and reordering', async () => {
    const log = await runWorkload(a, join(dir, 'planted.jsonl'), ['--writer', 'planted', '--interval-ms', '20'], 600);
    expect(log.attempts.filter((w) => w.outcome === 'acked').length).toBeGreaterThanOrEqual(8);
    await sql(a, "DELETE FROM tandem_lab_writes WHERE writer = 'planted' AND seq IN (3, 5)");
    let verdict = verifyWrites(log.attempts, await readStoredRows(pgTarget(a), { writers: ['planted'] }));
    expect(verdict.lost).toEqual([3, 5]);
    expect(verdict).toMatchObject({ duplicated: [], outOfOrder: 0 });
    // An old seq with a new id: both a duplicate and a row out of order.
    await sql(a, "INSERT INTO tandem_lab_writes(writer, seq) VALUES ('planted', 2)");
    verdict = verifyWrites(log.attempts, await readStoredRows(pgTarget(a), { writers: ['planted'] }));
    expect(verdict.duplicated).toEqual([2]);
    expect(verdict.outOfOrder).toBeGreaterThanOrEqual(1);
    // Re-storing deleted seq 5 late (after seq 2's new row): no longer lost; 5 > 2 so still one row out of order.
    await sql(a, "INSERT INTO tandem_lab_writes(writer, seq) VALUES ('planted', 5)");
    verdict = verifyWrites(log.attempts, await readStoredRows(pgTarget(a), { writers: ['planted'] }));
    expect(verdict.lost).toEqual([3]);
    expect(verdict.outOfOrder).toBe(1);
  });

  it('sees a planted split brain (two writable servers) and none when the second is read-only', async () => {
    // The poller uses one password for every host, as in the lab.
    const b = await startPostgres({ clusterName: 'b', password: a.password });
    servers.push(b);
    const bReadOnly = await startPostgres({ clusterName: 'b', password: a.password, settings: { default_transaction_read_only: 'on' } });
    servers.push(bReadOnly);
    const both = await runWorkload(a, join(dir, 'split.jsonl'), ['--writer', 'split', '--hosts', `a=${target(a)},b=${target(b)}`, '--poll-ms', '50'], 800);
    const split = detectSplitBrain({ answers: [], writable: both.probes, mergeGapMs: 500 });
    expect(split).toHaveLength(1);
    expect(split[0]).toMatchObject({ hosts: ['a', 'b'], evidence: ['writable-probes'] });
    const clean = await runWorkload(a, join(dir, 'nosplit.jsonl'), ['--writer', 'nosplit', '--hosts', `a=${target(a)},b=${target(bReadOnly)}`, '--poll-ms', '50'], 800);
    expect(clean.probes.filter((p) => p.host === 'b').every((p) => !p.writable && p.error !== undefined)).toBe(true);
    expect(clean.probes.some((p) => p.host === 'a' && p.writable)).toBe(true);
    expect(detectSplitBrain({ answers: [], writable: clean.probes, mergeGapMs: 500 })).toEqual([]);
  });

  it('keeps writing through a crash (SIGKILL) and restart; nothing acked is lost', async () => {
    const k = await startPostgres({ clusterName: 'k' });
    servers.push(k);
    const out = join(dir, 'crash.jsonl');
    const proc = startCheckerProcess(labBinPath('checkers/workload-main.js'), ['--target', target(k), ...credentials(k), '--out', out, '--writer', 'crash', '--attempt-timeout-ms', '1000'], { PGPASSWORD: k.password });
    try {
      await waitForAcked(out, 5, 10_000);
      const killedAtMs = Date.now();
      await k.kill();
      await sleep(800);
      const restartAtMs = Date.now();
      await k.restart();
      await sleep(1000);
      await proc.stop();
      const result = await proc.done;
      expect(result.code, result.stderr).toBe(0);
      const log = await readWorkloadLog(out);
      expect(log.attempts.filter((w) => w.outcome === 'acked' && w.endMs < killedAtMs).length).toBeGreaterThanOrEqual(5);
      const during = log.attempts.filter((w) => w.startMs > killedAtMs && w.endMs < restartAtMs);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((w) => w.outcome !== 'acked')).toBe(true);
      expect(log.attempts.some((w) => w.outcome === 'acked' && w.startMs > restartAtMs)).toBe(true);
      const verdict = verifyWrites(log.attempts, await readStoredRows(pgTarget(k), { writers: ['crash'] }));
      expect(verdict).toMatchObject({ lost: [], duplicated: [], outOfOrder: 0, unexpected: [], failedButStored: [] });
      expect(verdict.failed + verdict.uncertain).toBeGreaterThan(0);
    } finally {
      await proc.stop();
    }
  });
});
