import { readFile } from 'node:fs/promises';
import type { Lab } from '../lab.js';
import { processAlive } from '../hosts/process-state.js';
import { NIC_ROLES } from '../topology/lab-spec.js';
import { renderDropRules, type DropRule } from './nft-rules.js';
import { loadFaultTable, nextFaultTable } from './fault-tables.js';
import { startLinkDelay } from './link-delay.js';
import type { ActiveFault, FaultSpec } from './fault-spec.js';
import { confirmResumed, confirmStopped, continueConfirmed, processGroupMembers, stopConfirmed, withChildren } from './process-freeze.js';

const LINK_UP_TIMEOUT_MS = 5000;

/** Set a link's state; bringing it up waits until the kernel reports it operational, so a heal is really done. */
async function setLink(lab: Lab, host: string, iface: string, state: 'up' | 'down'): Promise<void> {
  await lab.exec(host, ['ip', 'link', 'set', iface, state]);
  if (state === 'down') return;
  const deadline = Date.now() + LINK_UP_TIMEOUT_MS;
  for (;;) {
    const shown = JSON.parse((await lab.exec(host, ['ip', '-j', 'link', 'show', 'dev', iface])).stdout) as { operstate?: string }[];
    if (shown[0]?.operstate === 'UP') return;
    if (Date.now() > deadline) throw new Error(`lab: ${iface} on ${host} was set up but is still ${shown[0]?.operstate ?? 'unknown'} after ${LINK_UP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Load a drop table into a host; the returned function removes it. */
async function dropTable(lab: Lab, host: string, rules: DropRule[]): Promise<() => Promise<void>> {
  const table = nextFaultTable();
  return loadFaultTable(lab, host, table, renderDropRules({ table, rules }));
}

/** The addresses of `host` a drop applies to: one NIC's, or all its data NICs'. */
function peerAddresses(lab: Lab, spec: Extract<FaultSpec, { kind: 'drop' }>, host: string): string[] {
  const roles = spec.nic ? [spec.nic] : NIC_ROLES;
  return lab
    .host(host)
    .nics.filter((n) => (roles as readonly string[]).includes(n.role))
    .map((n) => n.address);
}

async function injectDrop(lab: Lab, spec: Extract<FaultSpec, { kind: 'drop' }>): Promise<() => Promise<void>> {
  const port = spec.port;
  const toTarget: DropRule[] = peerAddresses(lab, spec, spec.from).map((peer) => ({ direction: 'in', peer, ...(port ? { protocol: 'tcp', port } : {}) }));
  const heals = [await dropTable(lab, spec.to, toTarget)];
  if (spec.twoWay) {
    const back: DropRule[] = peerAddresses(lab, spec, spec.to).map((peer) => ({ direction: 'in', peer, ...(port ? { protocol: 'tcp', sport: port } : {}) }));
    heals.push(await dropTable(lab, spec.from, back));
  }
  return async () => {
    for (const heal of heals) await heal();
  };
}

async function injectIsolate(lab: Lab, host: string): Promise<() => Promise<void>> {
  const data = lab.host(host).nics.filter((n) => n.role !== 'management');
  const rules: DropRule[] = data.flatMap((n) => [
    { direction: 'in', interface: n.name },
    { direction: 'out', interface: n.name },
  ]);
  return dropTable(lab, host, rules);
}

/** Freezes return once every process they stopped shows state T (SIGSTOP takes effect asynchronously), and heals once none does. */
async function injectFreezeHost(lab: Lab, host: string): Promise<() => Promise<void>> {
  const pids = await lab.pids(host);
  await stopConfirmed(pids, `freeze host ${host}`);
  return async () => continueConfirmed([...new Set([...pids, ...(await lab.pids(host))])], `resume host ${host}`);
}

/** A fault that cannot apply to the cluster as it is now (e.g. the service to freeze is not running): the step is skipped, not failed. */
export class FaultNotApplicableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultNotApplicableError';
  }
}

/** The pid on the first line of a pid file (postmaster.pid's layout), if that process runs on the host. */
async function pidFromFile(lab: Lab, host: string, pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 1 || !processAlive(pid)) return undefined;
  // A stale file after a power cut may name a pid reused elsewhere: it must be this host's.
  return (await lab.pids(host)).includes(pid) ? pid : undefined;
}

async function injectFreezeService(lab: Lab, spec: Extract<FaultSpec, { kind: 'freeze-service' }>): Promise<() => Promise<void>> {
  const { host, service } = spec;
  const pid = await lab.servicePid(host, service);
  if (pid !== undefined) {
    // The lab's services run in a session of their own, so the process group is the whole service (postgres and its backends).
    const what = `freeze ${service} on ${host}`;
    process.kill(-pid, 'SIGSTOP');
    // The kill reached every member, and a member with a stop pending cannot fork: the members now are the ones to wait for.
    const members = processGroupMembers(pid);
    try {
      await confirmStopped(members, what);
    } catch (error) {
      signalGroup(pid, 'SIGCONT');
      throw error;
    }
    return async () => {
      // The service may have died while frozen (power off): then there is nothing to resume.
      signalGroup(pid, 'SIGCONT');
      await confirmResumed([...new Set([...members, ...processGroupMembers(pid)])], `resume ${service} on ${host}`);
    };
  }
  const started = spec.pidFile === undefined ? undefined : await pidFromFile(lab, host, spec.pidFile);
  if (started === undefined) throw new FaultNotApplicableError(`cannot freeze ${service} on ${host}: it is not running${spec.pidFile ? ` (neither the lab's service nor the pid in ${spec.pidFile})` : ''}`);
  const pids = withChildren(started);
  await stopConfirmed(pids, `freeze ${service} on ${host} (pid ${started} from ${spec.pidFile})`);
  return async () => continueConfirmed(pids, `resume ${service} on ${host}`);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

async function injectLinkDown(lab: Lab, host: string, iface: string): Promise<() => Promise<void>> {
  await setLink(lab, host, iface, 'down');
  return () => setLink(lab, host, iface, 'up');
}

async function injectPowerOff(lab: Lab, host: string): Promise<() => Promise<void>> {
  await lab.bmcs.powerOff(host);
  return () => lab.bmcs.powerOn(host);
}

/** Inject one fault now; the result's heal() undoes it. */
export async function injectFault(lab: Lab, spec: FaultSpec): Promise<ActiveFault> {
  const startedAtMs = Date.now();
  const heal = await (async (): Promise<() => Promise<void>> => {
    switch (spec.kind) {
      case 'power-off':
        return injectPowerOff(lab, spec.host);
      case 'freeze-host':
        return injectFreezeHost(lab, spec.host);
      case 'freeze-service':
        return injectFreezeService(lab, spec);
      case 'nic-down':
        return injectLinkDown(lab, spec.host, lab.nic(spec.host, spec.nic).name);
      case 'drop':
        return injectDrop(lab, spec);
      case 'isolate':
        return injectIsolate(lab, spec.host);
      case 'gateway-down':
        return injectLinkDown(lab, 'gateway', lab.nic('gateway', 'public').name);
      case 'store-down':
        return injectLinkDown(lab, 'store', lab.nic('store', 'public').name);
      case 'link-delay':
        return startLinkDelay(lab, { host: spec.host, port: spec.port, nic: spec.nic ?? 'public', delayMs: spec.delayMs, lossPercent: spec.lossPercent ?? 0 });
    }
  })();
  let healed = false;
  return {
    spec,
    startedAtMs,
    heal: async () => {
      if (healed) return;
      healed = true;
      await heal();
    },
  };
}
