import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';

const STOP_TIMEOUT_MS = 10_000;

/**
 * pgbench's own writes, checked: every transaction pgbench logged as done
 * (its per-transaction log, written after the COMMIT answered) inserted one
 * row into pgbench_history. Fewer rows than logged transactions means
 * acknowledged commits were lost. Logged lines are a lower bound (a
 * pgbench killed at the end does not flush its last lines) and rows an
 * upper bound (a commit whose answer was lost in a failover still counts),
 * so `lostAtLeast` never reports a loss that did not happen.
 */
export interface LoadVerdict {
  readonly ackedTransactions: number;
  readonly historyRows: number;
  readonly lostAtLeast: number;
  readonly runs: number;
}

/**
 * pgbench writing through the service address from the client's namespace
 * for the whole run, so a failover happens under load (replication has
 * something to lag behind). pgbench gives up when its server dies, so a
 * shell loop starts it again, each run with its own transaction log;
 * `stop()` ends the loop and pgbench, `verify()` counts what survived.
 */
export class BackgroundLoad {
  private constructor(
    private readonly child: ChildProcess,
    private readonly logDir: string,
  ) {}

  /** `pgbench -i -s 1` through the service address, then the loop with `clients` connections. */
  static async start(lab: Lab, pg: LabPostgres, serviceAddress: string, clients: number): Promise<BackgroundLoad> {
    const env = { PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: '3' };
    const common = ['-h', serviceAddress, '-p', String(pg.port), '-U', pg.user];
    await lab.exec('client', ['pgbench', ...common, '-i', '-s', '1', '-q', pg.database], { env, timeoutMs: 120_000 });
    const logDir = join(lab.dir, 'load-log');
    await mkdir(logDir, { recursive: true });
    // -n: without it every run begins by truncating pgbench_history, the very rows verify() counts.
    // tcp_user_timeout: a connection to a server that lost power gets no RST; without a bound pgbench
    // would wait on it forever and the load would stop at the first failover.
    const target = `'dbname=${pg.database} tcp_user_timeout=5000 keepalives_idle=2 keepalives_interval=1 keepalives_count=3'`;
    const run = ['pgbench', ...common, '-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', '86400', '-N', '--log', `--log-prefix=${logDir}/run-$i`, target].join(' ');
    // A trap ends the pgbench in flight with the loop; $i numbers the runs so no log is overwritten.
    const loop = `trap 'kill $child 2>/dev/null; exit 0' TERM INT; i=0; while :; do i=$((i+1)); ${run} >/dev/null 2>&1 & child=$!; wait $child; sleep 0.5; done`;
    const child = spawn('ip', ['netns', 'exec', lab.host('client').namespace, 'sh', '-c', loop], { env: { ...process.env, ...env }, stdio: 'ignore' });
    return new BackgroundLoad(child, logDir);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** After stop(): logged transactions against pgbench_history's rows, read through the service address. */
  async verify(pg: LabPostgres, serviceAddress: string): Promise<LoadVerdict> {
    const files = (await readdir(this.logDir)).filter((f) => f.startsWith('run-'));
    let acked = 0;
    for (const f of files) acked += (await readFile(join(this.logDir, f), 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
    const rows = Number(await pg.query({ address: serviceAddress }, 'select count(*) from pgbench_history', 30_000));
    if (!Number.isInteger(rows)) throw new Error('load: could not count pgbench_history through the service address');
    const runs = new Set(files.map((f) => f.split('.')[0])).size;
    return { ackedTransactions: acked, historyRows: rows, lostAtLeast: Math.max(0, acked - rows), runs };
  }
}
