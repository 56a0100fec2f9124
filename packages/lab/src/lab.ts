import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planHosts, type LabNic, type PlannedHost } from './topology/address-plan.js';
import { buildTopology, labNamespaces } from './topology/build-topology.js';
import { inNamespace, run, type RunOptions, type RunResult } from './topology/ip-command.js';
import { namespaceName, newLabId } from './topology/lab-names.js';
import { labPreflight } from './topology/lab-preflight.js';
import { registerLab, sweepStaleLabs, unregisterLab } from './topology/lab-registry.js';
import { parseLabSpec, type LabSpec, type LabSpecInput, type NicRole } from './topology/lab-spec.js';
import { namespacePids, removeNamespaces } from './topology/namespace-cleanup.js';
import { renderBootScript, type ServiceSpec } from './hosts/boot-script.js';
import { guardLab, releaseLab } from './hosts/exit-guard.js';
import { startPower, type LabPower } from './hosts/lab-power.js';
import { processAlive } from './hosts/process-state.js';
import { startStoreRedis } from './hosts/store-redis.js';

export interface LabOptions {
  /** Where hosts' directories and logs go. Default /tmp/tandem-lab. */
  readonly baseDir?: string;
  /** Checked at start; the PostgreSQL provisioner passes its binary check here. */
  readonly needsPostgres?: () => boolean;
}

/** One host of a running lab. */
export interface LabHost extends PlannedHost {
  readonly namespace: string;
  /** logs/ (one file per service) and run/ (pid files) live here. */
  readonly dir: string;
}

/**
 * A running lab: hosts as network namespaces wired to per-network bridges,
 * services per host started through a boot script (so power on restarts
 * them), one ipmi_sim BMC per server. `down()` removes all of it.
 */
export class Lab {
  private readonly services = new Map<string, ServiceSpec[]>();
  private power: LabPower | undefined;

  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly spec: LabSpec,
    private readonly hostMap: ReadonlyMap<string, LabHost>,
  ) {}

  static async up(input: LabSpecInput, options: LabOptions = {}): Promise<Lab> {
    const spec = parseLabSpec(input);
    labPreflight({ power: spec.power, redis: spec.store?.redis ?? false, postgres: options.needsPostgres !== undefined }, options.needsPostgres);
    await sweepStaleLabs();
    const id = newLabId();
    const baseDir = options.baseDir ?? '/tmp/tandem-lab';
    const dir = join(baseDir, id);
    // Services run as other users (postgres): they must be able to reach their own directories.
    // The base directory may be shared (/tmp): it is checked, never chmod-ed.
    await mkdir(baseDir, { recursive: true, mode: 0o755 });
    if (((await stat(baseDir)).mode & 0o001) === 0) throw new Error(`lab: ${baseDir} must be searchable by other users (the postgres user reaches its data through it); run chmod o+x ${baseDir} or pick another baseDir`);
    await mkdir(dir);
    await chmod(dir, 0o755);
    const planned = planHosts(spec);
    const namespaces = labNamespaces(id, planned);
    await registerLab({ id, ownerPid: process.pid, namespaces, dir, createdAt: new Date().toISOString() });
    guardLab(id, namespaces);
    const hosts = new Map(planned.map((h) => [h.name, { ...h, namespace: namespaceName(id, h.name), dir: join(dir, 'hosts', h.name) }]));
    const lab = new Lab(id, dir, spec, hosts);
    try {
      for (const host of hosts.values()) await mkdir(join(host.dir, 'logs'), { recursive: true, mode: 0o755 });
      for (const host of hosts.values()) await lab.writeBootScript(host.name);
      await buildTopology(id, planned);
      if (spec.power) lab.power = await startPower(lab);
      if (spec.store?.redis) await startStoreRedis(lab, spec.store.address, spec.store.port);
    } catch (error) {
      const cleanup = await lab.down({ keepDir: true }).then(
        () => `lab ${id} was taken down; its logs are kept in ${dir}`,
        (downError: unknown) => `taking lab ${id} down failed too (${(downError as Error).message}); run a new lab to sweep it`,
      );
      throw new Error(`${(error as Error).message}\n(${cleanup})`, { cause: error });
    }
    return lab;
  }

  get hosts(): LabHost[] {
    return [...this.hostMap.values()];
  }

  get servers(): LabHost[] {
    return this.hosts.filter((h) => h.kind === 'server');
  }

  host(name: string): LabHost {
    const host = this.hostMap.get(name);
    if (!host) throw new Error(`lab ${this.id}: no host "${name}" (hosts: ${[...this.hostMap.keys()].join(', ')})`);
    return host;
  }

  nic(hostName: string, role: NicRole | 'management'): LabNic {
    const found = this.host(hostName).nics.find((n) => n.role === role);
    if (!found) throw new Error(`lab ${this.id}: host ${hostName} has no ${role} NIC`);
    return found;
  }

  address(hostName: string, role: NicRole | 'management' = 'public'): string {
    return this.nic(hostName, role).address;
  }

  /** Run a command inside a host's namespace and wait for it. */
  async exec(hostName: string, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return inNamespace(this.host(hostName).namespace, argv, options);
  }

  /** Register a service in the host's boot script; start it now unless told not to. */
  async addService(hostName: string, service: ServiceSpec, start = true): Promise<void> {
    const list = this.services.get(hostName) ?? [];
    if (list.some((s) => s.name === service.name)) throw new Error(`lab ${this.id}: host ${hostName} already has a service "${service.name}"`);
    list.push(service);
    this.services.set(hostName, list);
    await this.writeBootScript(hostName);
    if (start) await this.startService(hostName, service.name);
  }

  async startService(hostName: string, name: string): Promise<void> {
    await run(this.bootScriptPath(hostName), [name], { timeoutMs: 10_000 });
  }

  /**
   * Stop a service (its whole process group, with `signal`, then SIGKILL after
   * the timeout) and take it out of the boot script, e.g. to hand a database
   * over to an agent that starts and stops it itself.
   */
  async removeService(hostName: string, name: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const pid = await this.servicePid(hostName, name);
    this.services.set(hostName, (this.services.get(hostName) ?? []).filter((s) => s.name !== name));
    await this.writeBootScript(hostName);
    if (pid === undefined) return;
    if (!(await stopGroup(pid, signal, timeoutMs))) signalGroup(pid, 'SIGKILL');
  }

  /** Stop a service (its process group, `signal`, SIGKILL after the timeout) and start it again, as an operator's restart does. */
  async restartService(hostName: string, name: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const pid = await this.servicePid(hostName, name);
    if (pid !== undefined && !(await stopGroup(pid, signal, timeoutMs))) {
      throw new Error(`lab ${this.id}: ${name} on ${hostName} (pid ${pid}) did not exit within ${timeoutMs} ms of ${signal}`);
    }
    await this.startService(hostName, name);
  }

  async servicePid(hostName: string, name: string): Promise<number | undefined> {
    const text = await readFile(join(this.host(hostName).dir, 'run', `${name}.pid`), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 1 && processAlive(pid) ? pid : undefined;
  }

  logFile(hostName: string, service: string): string {
    return join(this.host(hostName).dir, 'logs', `${service}.log`);
  }

  /** Every process running in the host's namespace. */
  async pids(hostName: string): Promise<number[]> {
    return namespacePids(this.host(hostName).namespace);
  }

  bootScriptPath(hostName: string): string {
    return join(this.host(hostName).dir, 'boot.sh');
  }

  /** Power control through each server's BMC; only when the spec has `power: true`. */
  get bmcs(): LabPower {
    if (!this.power) throw new Error(`lab ${this.id} has no BMCs (spec.power is false)`);
    return this.power;
  }

  /**
   * Kill every process, delete every namespace (and with them the veths and
   * bridges), unregister. `keepDir` keeps hosts' logs for a failed test.
   */
  async down(options: { keepDir?: boolean } = {}): Promise<void> {
    await removeNamespaces(labNamespaces(this.id, this.hosts));
    await unregisterLab(this.id);
    releaseLab(this.id);
    if (!options.keepDir) await rm(this.dir, { recursive: true, force: true });
  }

  private async writeBootScript(hostName: string): Promise<void> {
    const host = this.host(hostName);
    const script = renderBootScript({
      host: host.name,
      namespace: host.namespace,
      dir: host.dir,
      nics: host.nics.map((n) => ({ name: n.name, cidr: `${n.address}/${n.prefixLength}` })),
      services: this.services.get(hostName) ?? [],
    });
    await writeFile(this.bootScriptPath(hostName), script, { mode: 0o755 });
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Signal a service's process group and wait (bounded) for its leader to exit; false if it is still alive. */
async function stopGroup(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  signalGroup(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !processAlive(pid);
}
