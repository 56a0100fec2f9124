#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runSeed } from './run-seed.js';
import { emptySummary, mergeSummaries, runSeeds, type BatchSummary } from './run-seeds.js';
import { DEFAULT_SIM_CONFIG, livenessBound } from './sim-config.js';

interface Args {
  readonly seeds: number;
  readonly seed: number | undefined;
  readonly from: number;
  readonly budgetS: number;
  readonly workers: number;
}

const USAGE = 'usage: npm run sim -- [--seeds N] [--from N] [--budget-s S] [--workers W] | --seed N';

function parseArgs(argv: readonly string[]): Args {
  const values = new Map<string, number>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = Number(argv[i + 1]);
    if (!['--seeds', '--seed', '--from', '--budget-s', '--workers'].includes(flag) || !Number.isInteger(value) || value < 0) {
      process.stderr.write(`bad argument ${flag} ${argv[i + 1] ?? ''}\n${USAGE}\n`);
      process.exit(2);
    }
    values.set(flag, value);
  }
  return {
    seeds: values.get('--seeds') ?? 10_000,
    seed: values.get('--seed'),
    from: values.get('--from') ?? 1,
    budgetS: values.get('--budget-s') ?? 600,
    workers: Math.max(1, values.get('--workers') ?? Math.min(2, availableParallelism())),
  };
}

/** Replay one seed with its full timeline. */
async function replay(seed: number): Promise<number> {
  const r = await runSeed(seed, { trace: true });
  process.stdout.write(`seed ${seed}: faults: ${r.faults.join('; ')}\n`);
  process.stdout.write(`${r.nodes} nodes; rejoin: ${r.rejoinPolicy}; faults healed at ${r.healAtMs} ms; liveness bound ${r.boundMs} ms; primary (kept to the end) from ${r.primaryAtMs ?? 'never'} ms; run ended at ${r.endMs} ms${r.unrestorable ? '; no node held every acknowledged write after the heal' : ''}\n\n`);
  for (const line of r.trace ?? []) process.stdout.write(`${line}\n`);
  process.stdout.write(`\nhistory fingerprint ${r.fingerprint} (${r.historyLength} entries)\n`);
  for (const v of r.violations) process.stdout.write(`VIOLATION ${v.invariant} at ${v.atMs} ms: ${v.message}\n`);
  process.stdout.write(r.violations.length === 0 ? 'all invariants held\n' : '');
  return r.violations.length === 0 ? 0 : 1;
}

function inWorker(): void {
  const { seeds, deadline } = workerData as { seeds: number[]; deadline: number };
  void runSeeds(seeds, {}, () => Date.now() < deadline).then((summary) => parentPort?.postMessage(summary));
}

async function batch(a: Args): Promise<number> {
  const started = Date.now();
  const deadline = started + a.budgetS * 1000;
  const shards = Array.from({ length: a.workers }, (_, w) => Array.from({ length: a.seeds }, (_, i) => a.from + i).filter((_, i) => i % a.workers === w));
  const results = await Promise.all(
    shards.map(
      (seeds) =>
        new Promise<BatchSummary>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { seeds, deadline } });
          worker.once('message', (s: BatchSummary) => resolve(s));
          worker.once('error', reject);
        }),
    ),
  );
  const s = results.reduce(mergeSummaries, emptySummary());
  report(a, s, Date.now() - started);
  return s.failures.length > 0 || s.seedsRun < a.seeds ? 1 : 0;
}

function report(a: Args, s: BatchSummary, elapsedMs: number): void {
  const bound = livenessBound(DEFAULT_SIM_CONFIG);
  const line = {
    seeds: s.seedsRun,
    requested: a.seeds,
    failures: s.failures.length,
    failingSeeds: s.failures.slice(0, 20).map((f) => f.seed),
    elapsedMs,
    seedsPerSecond: Math.round((s.seedsRun / Math.max(1, elapsedMs)) * 1000),
    workers: a.workers,
    boundMs: bound.boundMs,
    meanRecoveryMs: s.recovered === 0 ? undefined : Math.round(s.recoverySumMs / s.recovered),
    maxRecoveryMs: s.recoveryMaxMs,
    promotions: s.promotions,
    unrestorable: s.unrestorable,
    fencesAfterHeal: s.fencesAfterHeal,
    byInvariant: s.byInvariant,
  };
  process.stdout.write(`${JSON.stringify(line)}\n\n`);
  const rows: [string, string][] = [
    ['seeds run', `${s.seedsRun} of ${a.seeds}`],
    ['failing seeds', String(s.failures.length)],
    ['elapsed', `${(elapsedMs / 1000).toFixed(1)} s on ${a.workers} worker(s)`],
    ['liveness bound', `${bound.boundMs} ms = ${Object.entries(bound.parts).map(([k, v]) => `${k} ${v}`).join(' + ')}`],
    ['recovery after heal', `mean ${line.meanRecoveryMs ?? '-'} ms, max ${s.recoveryMaxMs} ms`],
    ['promotions', String(s.promotions)],
    ['unrestorable', `${s.unrestorable} seed(s) where no node held every acknowledged write after the heal (no primary owed)`],
    ['fences after heal', String(s.fencesAfterHeal)],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)} ${v}\n`);
  for (const f of s.failures.slice(0, 20)) {
    process.stdout.write(`\nFAILED seed ${f.seed} (${f.faults.join('; ')})\n`);
    for (const v of f.violations) process.stdout.write(`  ${v.invariant} at ${v.atMs} ms: ${v.message}\n`);
    process.stdout.write(`  replay: npm run sim -- --seed ${f.seed}\n`);
  }
  if (s.seedsRun < a.seeds) process.stdout.write(`\nbudget of ${a.budgetS} s ran out after ${s.seedsRun} seeds (raise --budget-s or make seeds cheaper)\n`);
}

if (!isMainThread) {
  inWorker();
} else {
  const a = parseArgs(process.argv.slice(2));
  const code = a.seed !== undefined ? await replay(a.seed) : await batch(a);
  process.exitCode = code;
}

