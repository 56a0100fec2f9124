import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { labBinPath } from '../lab-bin.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';
import { inNamespace } from '../topology/ip-command.js';
import { readWorkloadLog, type WorkloadLog } from '../checkers/read-workload-log.js';
import type { VerifyReport } from '../checkers/verify-report.js';

const STOP_TIMEOUT_MS = 10_000;

/** Where the workload runs and what it writes to: any lab's client namespace (the namespace lab's, the VM lab's gateway). */
export interface WorkloadClient {
  readonly namespace: string;
  /** The log goes here. */
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password: string;
  /** Servers polled on their own address, `name=addr:port,...`; empty for none. */
  readonly hosts: string;
}

/** The client workload running in the client's namespace, writing to the service address. */
export class LabWorkload {
  private constructor(
    private readonly client: WorkloadClient,
    private readonly child: ChildProcess,
    readonly logPath: string,
    readonly serviceAddress: string,
  ) {}

  static start(lab: Lab, pg: LabPostgres, serviceAddress: string, intervalMs = 50): LabWorkload {
    const hosts = pg.servers.map((s) => `${s}=${lab.address(s)}:${pg.port}`).join(',');
    return LabWorkload.startIn({ namespace: lab.host('client').namespace, dir: lab.dir, port: pg.port, user: pg.user, database: pg.database, password: pg.password, hosts }, serviceAddress, intervalMs);
  }

  static startIn(client: WorkloadClient, serviceAddress: string, intervalMs = 50): LabWorkload {
    const logPath = join(client.dir, 'workload.jsonl');
    const args = ['--target', `${serviceAddress}:${client.port}`, '--user', client.user, '--database', client.database, '--out', logPath, '--interval-ms', String(intervalMs), ...(client.hosts ? ['--hosts', client.hosts, '--poll-ms', '200'] : [])];
    const child = spawn('ip', ['netns', 'exec', client.namespace, process.execPath, labBinPath('checkers/workload-main.js'), ...args], {
      env: { ...process.env, PGPASSWORD: client.password },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.resume();
    return new LabWorkload(client, child, logPath, serviceAddress);
  }

  async read(): Promise<WorkloadLog> {
    return readWorkloadLog(this.logPath).catch(() => ({ attempts: [], probes: [], tornLastLine: false, badLines: [] }));
  }

  /** The host that answered the latest acked write, if any. */
  async lastAckedHost(): Promise<string | undefined> {
    const acked = (await this.read()).attempts.filter((a) => a.outcome === 'acked');
    return acked[acked.length - 1]?.host;
  }

  /** Wait for an acked write that started after `afterMs`; false on timeout. */
  async waitAckAfter(afterMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.read()).attempts.some((a) => a.outcome === 'acked' && a.startMs > afterMs)) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Run the verifier inside the client namespace against the service address. */
  async verify(mergeGapMs: number): Promise<VerifyReport> {
    const c = this.client;
    const argv = [process.execPath, labBinPath('checkers/verify-main.js'), '--target', `${this.serviceAddress}:${c.port}`, '--user', c.user, '--database', c.database, '--log', this.logPath, '--merge-gap-ms', String(mergeGapMs)];
    const result = await inNamespace(c.namespace, argv, { env: { PGPASSWORD: c.password }, timeoutMs: 60_000, allowFailure: true });
    const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as VerifyReport | { error: string };
    if ('error' in report) throw new Error(`campaign: the verifier could not read the results: ${report.error}`);
    if (result.exitCode !== 0) throw new Error(`campaign: the verifier exited with ${result.exitCode}: ${result.stderr}`);
    return report;
  }
}
