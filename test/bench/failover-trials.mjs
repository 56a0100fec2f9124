#!/usr/bin/env node
// Failover trials for one HA system in the lab: N power cuts of the primary while a
// client writes through the VIP, then a pgbench run. Prints one JSON line, then a table.
// Needs root and a build (npm run build).
// Usage: node test/bench/failover-trials.mjs --system patroni-async|patroni-sync [--trials 5]
//          [--pgbench-seconds 20] [--load-clients 4] [--ttl 30 --loop-wait 10 --retry-timeout 10] [--keep]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LAB_VIP, Lab, runFailoverTrials, serversNamed } from '../../packages/lab/dist/index.js';
import { PG_BIN, requirePatroni, startPatroniCluster } from './patroni/patroni-cluster.mjs';
import { runPgbench } from './patroni/pgbench.mjs';

const { values } = parseArgs({
  options: {
    system: { type: 'string' },
    trials: { type: 'string', default: '5' },
    'pgbench-seconds': { type: 'string', default: '20' },
    ttl: { type: 'string', default: '30' },
    'loop-wait': { type: 'string', default: '10' },
    'retry-timeout': { type: 'string', default: '10' },
    'load-clients': { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});

const SERVERS = ['s1', 's2'];
const timing = { ttl: Number(values.ttl), loopWait: Number(values['loop-wait']), retryTimeout: Number(values['retry-timeout']) };

/**
 * Each system: a check of what the host needs, and a setup that turns a bare
 * lab into a running cluster behind the VIP, returning
 * { pg, whoIsPrimary, ready, repair } for runFailoverTrials.
 * The `tandem` entry is added by the coordinator in the same shape.
 */
const SYSTEMS = {
  'patroni-async': { needs: requirePatroni, setup: (lab) => startPatroniCluster(lab, { servers: SERVERS, synchronousMode: false, timing }) },
  'patroni-sync': { needs: requirePatroni, setup: (lab) => startPatroniCluster(lab, { servers: SERVERS, synchronousMode: true, timing }) },
};

function fail(message) {
  console.error(`failover-trials: ${message}`);
  process.exit(2);
}

const system = SYSTEMS[values.system ?? ''];
if (!system) fail(`--system must be one of: ${Object.keys(SYSTEMS).join(', ')}`);
if (process.getuid?.() !== 0) fail('must run as root (the lab builds network namespaces)');
const trials = Number(values.trials);
// pgbench connections writing through the VIP during the trials: failover under load.
const loadClients = Number(values['load-clients']);
if (!Number.isInteger(loadClients) || loadClients < 0) fail(`--load-clients: "${values['load-clients']}" is not a whole number`);
if (!Number.isInteger(trials) || trials < 1) fail(`--trials: "${values.trials}" is not a positive whole number`);
try {
  system.needs();
} catch (error) {
  fail(error.message);
}

const log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const lab = await Lab.up({ servers: serversNamed(SERVERS.length), store: { redis: false } }, { needsPostgres: () => existsSync(`${PG_BIN}/postgres`) });
let keep = values.keep;
let result;
try {
  log(`lab ${lab.id} up (${lab.dir}); setting up ${values.system}`);
  const cluster = await system.setup(lab);
  log(`cluster ready; pgbench for ${values['pgbench-seconds']} s through ${LAB_VIP}`);
  const pgbench = await runPgbench(lab, cluster.pg, LAB_VIP, { seconds: Number(values['pgbench-seconds']) });
  log(`pgbench: ${JSON.stringify(pgbench)}; now ${trials} trials`);
  const report = await runFailoverTrials({ lab, pg: cluster.pg, serviceAddress: LAB_VIP, trials, loadClients, whoIsPrimary: cluster.whoIsPrimary, repair: cluster.repair, ready: cluster.ready, log });
  result = { bench: 'failover-trials', system: values.system, date: new Date().toISOString(), command: `node test/bench/failover-trials.mjs ${process.argv.slice(2).join(' ')}`, timing, loadClients, pgbench, summary: report.summary, trials: report.trials, splitBrain: report.splitBrain };
  if (report.summary.unrestored > 0) keep = true;
} catch (error) {
  keep = true;
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await lab.down({ keepDir: keep });
  if (keep) log(`lab logs kept in ${lab.dir}`);
}

if (result) {
  console.log(JSON.stringify(result));
  const s = result.summary;
  const r = s.restoreMs;
  const row = [result.system, `${s.restored}/${s.trials}`, r?.p50 ?? '-', r?.p99 ?? '-', r?.max ?? '-', s.lostAcked, s.trialsWithLoss, s.splitBrainWindows, result.pgbench.tps?.toFixed(0), result.pgbench.latencyAvgMs, result.pgbench.latencyP99Ms];
  const head = ['system', 'restored', 'p50 ms', 'p99 ms', 'max ms', 'lost acked', 'trials w/ loss', 'split brain', 'tps', 'commit avg ms', 'commit p99 ms'];
  console.log(head.map((h) => h.padStart(16)).join(''));
  console.log(row.map((c) => String(c).padStart(16)).join(''));
}
