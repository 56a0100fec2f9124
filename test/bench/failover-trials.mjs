#!/usr/bin/env node
// Failover trials for one HA system in the lab: N power cuts of the primary while a
// client writes through the VIP, then a pgbench run. Prints one JSON line, then a table.
// Needs root and a build (npm run build).
// Usage: node test/bench/failover-trials.mjs --system tandem|patroni-async|patroni-sync [--trials 5]
//          [--pgbench-seconds 20] [--load-clients 4] [--ttl 30 --loop-wait 10 --retry-timeout 10]
//          [--set timing.probeIntervalMs=200,resources.1.options.dadTimeoutMs=300,...] [--keep]
// --ttl/--loop-wait/--retry-timeout are Patroni's; --set changes numbers in
// examples/postgres-zero-loss.yaml (dotted paths, list indexes as numbers) for the tandem system.
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument } from 'yaml';
import { LAB_VIP, Lab, clusterFromConfig, runFailoverTrials, serversNamed, tandemTrialHooks } from '../../packages/lab/dist/index.js';
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
    set: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
  },
});

const SERVERS = ['s1', 's2'];
const timing = { ttl: Number(values.ttl), loopWait: Number(values['loop-wait']), retryTimeout: Number(values['retry-timeout']) };

const EXAMPLE = new URL('../../examples/postgres-zero-loss.yaml', import.meta.url);

/** The zero-loss example with `--set path=number,...` applied (path: dotted, list indexes as numbers). */
async function tandemConfig(overrides) {
  const doc = parseDocument(await readFile(EXAMPLE, 'utf8'));
  for (const pair of overrides.split(',').filter(Boolean)) {
    const [path, value] = pair.split('=');
    if (!path || !/^\d+$/.test(value ?? '')) fail(`--set: "${pair}" is not path=number (e.g. timing.leaseTtlMs=3000)`);
    const keys = path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    if (!doc.hasIn(keys.slice(0, -1))) fail(`--set: ${path}: examples/postgres-zero-loss.yaml has nothing at ${keys.slice(0, -1).join('.')}`);
    doc.setIn(keys, Number(value));
  }
  const path = join(await mkdtemp(join(tmpdir(), 'tandem-bench-')), 'postgres-zero-loss.yaml');
  await writeFile(path, doc.toString());
  return path;
}

async function patroniUp(synchronousMode) {
  const lab = await Lab.up({ servers: serversNamed(SERVERS.length), store: { redis: false } }, { needsPostgres: () => existsSync(`${PG_BIN}/postgres`) });
  try {
    log(`lab ${lab.id} up (${lab.dir}); setting up Patroni`);
    return { lab, cluster: await startPatroniCluster(lab, { servers: SERVERS, synchronousMode, timing }) };
  } catch (error) {
    await lab.down({ keepDir: true });
    throw error;
  }
}

async function tandemUp() {
  const c = await clusterFromConfig(await tandemConfig(values.set));
  log(`lab ${c.lab.id} up (${c.lab.dir}); Tandem agents run ${c.label}`);
  return { lab: c.lab, cluster: tandemTrialHooks(c) };
}

/**
 * Each system: a check of what the host needs, and `up` that brings a lab up
 * with the cluster running behind the VIP, returning { lab, cluster }, where
 * cluster is { pg, whoIsPrimary, ready, repair } for runFailoverTrials.
 */
const SYSTEMS = {
  tandem: { needs: () => undefined, up: tandemUp },
  'patroni-async': { needs: requirePatroni, up: () => patroniUp(false) },
  'patroni-sync': { needs: requirePatroni, up: () => patroniUp(true) },
};

const log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

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

let keep = values.keep;
let result;
let lab;
try {
  const up = await system.up();
  lab = up.lab;
  const { cluster } = up;
  // pgbench measures the steady state: the cluster's own idea of ready (for Tandem, a mirror is a synchronous standby).
  const readyBy = Date.now() + 180_000;
  while (!(await cluster.ready().catch(() => false))) {
    if (Date.now() > readyBy) throw new Error(`${values.system} was not ready within 180 s of coming up`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`cluster ready; pgbench for ${values['pgbench-seconds']} s through ${LAB_VIP}`);
  const pgbench = await runPgbench(lab, cluster.pg, LAB_VIP, { seconds: Number(values['pgbench-seconds']) });
  log(`pgbench: ${JSON.stringify(pgbench)}; now ${trials} trials`);
  const report = await runFailoverTrials({ lab, pg: cluster.pg, serviceAddress: LAB_VIP, trials, loadClients, whoIsPrimary: cluster.whoIsPrimary, repair: cluster.repair, ready: cluster.ready, log });
  const systemTiming = values.system === 'tandem' ? values.set || 'the example\'s' : timing;
  result = { bench: 'failover-trials', system: values.system, date: new Date().toISOString(), command: `node test/bench/failover-trials.mjs ${process.argv.slice(2).join(' ')}`, timing: systemTiming, loadClients, pgbench, summary: report.summary, load: report.load, trials: report.trials, splitBrain: report.splitBrain };
  if (report.summary.unrestored > 0) keep = true;
} catch (error) {
  keep = true;
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await lab?.down({ keepDir: keep });
  if (keep && lab) log(`lab logs kept in ${lab.dir}`);
}

if (result) {
  console.log(JSON.stringify(result));
  const s = result.summary;
  const r = s.restoreMs;
  const row = [result.system, `${s.restored}/${s.trials}`, r?.p50 ?? '-', r?.p99 ?? '-', r?.max ?? '-', s.lostAcked, result.load?.lostAtLeast ?? '-', s.trialsWithLoss, s.splitBrainWindows, result.pgbench.tps?.toFixed(0), result.pgbench.latencyAvgMs, result.pgbench.latencyP99Ms];
  const head = ['system', 'restored', 'p50 ms', 'p99 ms', 'max ms', 'lost acked', 'pgbench lost', 'trials w/ loss', 'split brain', 'tps', 'commit avg ms', 'commit p99 ms'];
  console.log(head.map((h) => h.padStart(16)).join(''));
  console.log(row.map((c) => String(c).padStart(16)).join(''));
}
