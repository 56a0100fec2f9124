import type { ReplicationTransport } from '../contracts/replication-transport.js';
import type { ResourceAgent } from '../contracts/resource-agent.js';
import type { NodeMemory } from '../ports/node-memory.js';
import type { SimulatedClock } from '../ports/simulated-clock.js';
import type { MemoryCoordinationStore } from '../store/memory-store.js';
import type { ActionResult } from './actions.js';
import { ActionExecutor } from './executor.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };

/** db2 of a two-node cluster with one resource `db` (and a transport `mirror`, if given): runs one action at a time. */
export function executorOnDb2(deps: { clock: SimulatedClock; store: MemoryCoordinationStore; memory: NodeMemory; db: ResourceAgent; mirror?: ReplicationTransport }) {
  const { clock, store, memory, db, mirror } = deps;
  const executor = new ActionExecutor({
    clock,
    store,
    memory,
    composition: {
      node: { name: 'db2', nics: {} },
      fencingLevels: [],
      recovery: [],
      resources: [{ id: 'db', plugin: 't', configPath: 'resources.0', impl: db }],
      ...(mirror === undefined ? {} : { transports: [{ id: 'mirror', plugin: 't', configPath: 'transports.0', impl: mirror }] }),
    },
    nodes: [{ name: 'db1', nics: {} }, { name: 'db2', nics: {} }],
    gateway: { check: () => new Promise(() => undefined) },
    timing,
  });
  return async (action: Parameters<ActionExecutor['submit']>[0][number]): Promise<ActionResult | undefined> => {
    executor.submit([action]);
    await executor.idle();
    return executor.takeResults()[0];
  };
}
