// pgbench from the client's namespace against the service address: commit latency and TPS.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Nearest-rank percentile of sorted values. */
function nearestRank(sorted, q) {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
}

/** Transaction times (µs, 3rd field) of pgbench's per-transaction logs. */
async function transactionTimesUs(dir) {
  const times = [];
  for (const file of await readdir(dir)) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line.trim() !== '' && Number.isFinite(us)) times.push(us);
    }
  }
  return times.sort((a, b) => a - b);
}

/**
 * `pgbench -i` then a simple-update run (-N: no contention on the branch
 * rows, so latency is mostly the commit) for `seconds` with 4 clients.
 */
export async function runPgbench(lab, pg, address, { seconds = 20, clients = 4, threads = 2 } = {}) {
  const env = { PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: '5' };
  const common = ['-h', address, '-p', String(pg.port), '-U', pg.user];
  await lab.exec('client', ['pgbench', ...common, '-i', '-s', '1', '-q', pg.database], { env, timeoutMs: 120_000 });
  const logDir = join(lab.dir, 'pgbench-log');
  await mkdir(logDir, { recursive: true });
  const argv = ['pgbench', ...common, '-c', String(clients), '-j', String(threads), '-T', String(seconds), '-N', '--log', `--log-prefix=${join(logDir, 'tx')}`, pg.database];
  const result = await lab.exec('client', argv, { env, timeoutMs: (seconds + 60) * 1000 });
  const number = (re) => Number(re.exec(result.stdout)?.[1]);
  const times = await transactionTimesUs(logDir);
  return {
    clients,
    seconds,
    transactions: times.length,
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    latencyAvgMs: number(/latency average = ([\d.]+) ms/),
    latencyP99Ms: times.length > 0 ? Math.round(nearestRank(times, 0.99) / 10) / 100 : undefined,
    failed: number(/number of failed transactions: (\d+)/) || 0,
  };
}
