import { spawn, type ChildProcess } from 'node:child_process';
import type { Lab } from '../lab.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';

const STOP_TIMEOUT_MS = 10_000;

/**
 * pgbench writing through the service address from the client's namespace
 * for the whole run, so a failover happens under load (replication has
 * something to lag behind). pgbench gives up when its server dies, so a
 * shell loop starts it again; `stop()` ends the loop and pgbench.
 */
export class BackgroundLoad {
  private constructor(private readonly child: ChildProcess) {}

  /** `pgbench -i -s 1` through the service address, then the loop with `clients` connections. */
  static async start(lab: Lab, pg: LabPostgres, serviceAddress: string, clients: number): Promise<BackgroundLoad> {
    const env = { PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: '3' };
    const common = ['-h', serviceAddress, '-p', String(pg.port), '-U', pg.user];
    await lab.exec('client', ['pgbench', ...common, '-i', '-s', '1', '-q', pg.database], { env, timeoutMs: 120_000 });
    const run = ['pgbench', ...common, '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', '86400', '-N', pg.database].join(' ');
    // exec keeps the loop's pid the one we signal; a trap ends the pgbench in flight with it.
    const loop = `trap 'kill $child 2>/dev/null; exit 0' TERM INT; while :; do ${run} >/dev/null 2>&1 & child=$!; wait $child; sleep 0.5; done`;
    const child = spawn('ip', ['netns', 'exec', lab.host('client').namespace, 'sh', '-c', loop], { env: { ...process.env, ...env }, stdio: 'ignore' });
    return new BackgroundLoad(child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
