#!/usr/bin/env node
// Issue 5's side-by-side benchmark in one run: the failover trials (test/bench/failover-trials.mjs)
// for each system in turn, on the same machine, then one table. Needs root, a build, and
// Debian's patroni + etcd-server for the Patroni rows (see test/bench/patroni/README.md).
// Usage: node test/bench/failover-compare.mjs [--trials 20] [--pgbench-seconds 20] [--out results.jsonl]
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' }, 'pgbench-seconds': { type: 'string', default: '20' }, out: { type: 'string' } } });

// A 3 s lease (the loader's rule: 3000 > 500 + 400 + 2000), a 2 s fence budget and 300 ms of DAD, first with the
// example's 500 ms probes, then with 200 ms ones. Still 3 confirmations.
const SHORT_LEASE = [
  'timing.leaseRenewIntervalMs=500',
  'timing.storeTimeoutMs=400',
  'timing.fenceTimeoutMs=2000',
  'timing.leaseTtlMs=3000',
  'fencing.levels.0.0.timeoutMs=2000',
  'fencing.levels.0.0.options.verifyTimeoutMs=1500',
  'resources.1.options.dadTimeoutMs=300',
].join(',');
const FAST = `timing.probeIntervalMs=200,${SHORT_LEASE}`;

const RUNS = [
  { label: 'Tandem, example timing', args: ['--system', 'tandem'] },
  { label: 'Tandem, 3 s lease', args: ['--system', 'tandem', '--set', SHORT_LEASE] },
  { label: 'Tandem, 3 s lease, 200 ms probes', args: ['--system', 'tandem', '--set', FAST] },
  { label: 'Patroni, asynchronous', args: ['--system', 'patroni-async'] },
  { label: 'Patroni, synchronous_mode', args: ['--system', 'patroni-sync'] },
];

const script = fileURLToPath(new URL('./failover-trials.mjs', import.meta.url));
const rows = [];
for (const run of RUNS) {
  process.stderr.write(`failover-compare: ${run.label}\n`);
  const r = spawnSync(process.execPath, [script, ...run.args, '--trials', values.trials, '--pgbench-seconds', values['pgbench-seconds']], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) {
    rows.push({ label: run.label, error: `exited ${r.status}` });
    continue;
  }
  const result = JSON.parse(line);
  if (values.out) appendFileSync(values.out, `${JSON.stringify({ label: run.label, ...result })}\n`);
  rows.push({ label: run.label, result });
}

const summary = rows.map(({ label, result, error }) => {
  if (error) return { system: label, error };
  const s = result.summary;
  return {
    system: label,
    restored: `${s.restored}/${s.trials}`,
    restoreMs: s.restoreMs,
    lostAcked: s.lostAcked,
    pgbenchLostAtLeast: result.load?.lostAtLeast ?? null,
    trialsWithLoss: s.trialsWithLoss,
    splitBrainWindows: s.splitBrainWindows,
    tps: result.pgbench.tps,
    commitAvgMs: result.pgbench.latencyAvgMs,
    commitP99Ms: result.pgbench.latencyP99Ms,
  };
});
console.log(JSON.stringify({ bench: 'failover-compare', date: new Date().toISOString(), trials: Number(values.trials), systems: summary }));
const head = ['system', 'restored', 'p50 ms', 'p99 ms', 'max ms', 'lost (writer)', 'lost (pgbench)', 'tps', 'commit avg', 'commit p99'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of summary) {
  if (r.error) console.log(`| ${r.system} | ${r.error} |`);
  else console.log(`| ${[r.system, r.restored, r.restoreMs?.p50, r.restoreMs?.p99, r.restoreMs?.max, r.lostAcked, r.pgbenchLostAtLeast ?? '-', Math.round(r.tps), r.commitAvgMs, r.commitP99Ms].join(' | ')} |`);
}
if (rows.some((r) => r.error)) process.exitCode = 1;
