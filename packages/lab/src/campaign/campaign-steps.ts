import type { Lab } from '../lab.js';
import type { FaultSpec } from '../faults/fault-spec.js';
import type { PlannedStep } from './campaign-plan.js';

export interface StepContext {
  /** The database's pid file on a server (its data directory's postmaster.pid): freeze-postgres finds a database an agent started. */
  readonly postgresPidFile?: (server: string) => string;
}

/** Turn a planned step into a concrete fault against the servers as they are now. */
export function resolveStep(step: PlannedStep, primary: string, others: readonly string[], random: () => number, context: StepContext = {}): { spec: FaultSpec; host?: string } | { skipped: string } {
  const replica = others[Math.floor(random() * others.length)];
  const host = step.target === 'primary' ? primary : replica;
  if (step.target !== 'none' && host === undefined) return { skipped: `no ${step.target} server is up` };
  const h = host as string;
  switch (step.kind) {
    case 'power-off':
      return { spec: { kind: 'power-off', host: h }, host: h };
    case 'freeze-host':
      return { spec: { kind: 'freeze-host', host: h }, host: h };
    case 'freeze-postgres':
      return { spec: { kind: 'freeze-service', host: h, service: 'postgres', ...(context.postgresPidFile ? { pidFile: context.postgresPidFile(h) } : {}) }, host: h };
    case 'nic-down':
      return { spec: { kind: 'nic-down', host: h, nic: step.nic ?? 'public' }, host: h };
    case 'drop': {
      // Between the target and a peer: the primary and a replica, or a replica and the primary.
      const peer = step.target === 'primary' ? replica : primary;
      if (peer === undefined || peer === h) return { skipped: 'no peer to cut the target off from' };
      return { spec: { kind: 'drop', from: peer, to: h, twoWay: true, ...(step.nic ? { nic: step.nic } : {}) }, host: h };
    }
    case 'isolate':
      return { spec: { kind: 'isolate', host: h }, host: h };
    case 'gateway-down':
      return { spec: { kind: 'gateway-down' } };
    case 'store-down':
      return { spec: { kind: 'store-down' } };
    case 'link-delay':
      return { spec: { kind: 'link-delay', host: h, port: 5432, nic: 'public', delayMs: step.delayMs ?? 100 }, host: h };
  }
}

/** Servers whose power is on, in lab order. */
export async function poweredServers(lab: Lab): Promise<string[]> {
  const up: string[] = [];
  for (const server of lab.servers) if ((await lab.bmcs.state(server.name)) === 'on') up.push(server.name);
  return up;
}
