import {
  ActionExecutor,
  AgentLoop,
  allNodeInfos,
  ExecaCommandRunner,
  SystemClock,
  type Clock,
  type CommandRunner,
  type Composition,
  type CoordinationStore,
  type Logger,
  type NodeMemory,
  TandemError,
  type ClusterConfig,
  type GatewayChecker,
  type PluginCatalog,
} from '@tandem/core';
import { PingGatewayChecker, ProbeGatewayChecker } from './gateway-checkers.js';
import { composeLocal } from './compose-local.js';
import { handOverOnStop } from './graceful-stop.js';
import { AgentMetrics } from './metrics.js';
import { FailoverMeter, meteredProbes } from './metered-probes.js';
import { openStore } from './open-store.js';
import { FileNodeMemory } from './node-memory-file.js';
import { checkStoreIdentity } from './store-identity.js';
import { checkRequiredCommands } from './preflight.js';
import { StatusServer, type StatusServerReport } from './status-server.js';
import type { StatusReport } from './status-report.js';

export interface StartAgentOptions {
  readonly config: ClusterConfig;
  readonly node: string;
  readonly catalog: PluginCatalog;
  readonly logger: Logger;
  /** Where the embedded store and plugin state live when the config does not say. */
  readonly stateDir: string;
  readonly clock?: Clock;
  readonly runner?: CommandRunner;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningAgent {
  readonly loop: AgentLoop;
  readonly store: CoordinationStore;
  /** Where the status endpoint listens, when the node has `statusListen`. */
  readonly statusAddress: { readonly host: string; readonly port: number } | undefined;
  status(): StatusReport;
  stop(): Promise<void>;
}

/**
 * Compose the agent of `node` from the config and start its HA loop and
 * status endpoint. Anything missing (a plugin, a program, the gateway) stops
 * start-up here with a message naming the config path and the fix.
 */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const { config, node, logger } = options;
  if (!config.gateway) {
    throw new TandemError('invalidConfig', 'an agent needs a gateway to check before it may take over', {
      problems: [{ path: 'gateway', message: 'is not set', fix: 'add gateway: { address: <your default router> }' }],
    });
  }
  const clock = options.clock ?? new SystemClock();
  const runner = options.runner ?? new ExecaCommandRunner();
  const store = openStore(config, { clock, logger, stateDir: options.stateDir });
  const nodes = allNodeInfos(config);
  try {
    const composition = await composeLocal(config, node, options.catalog, { clock, runner, logger, store }, options.env);
    await checkRequiredCommands(composition, runner);
    const gatewayProbe = composition.probes.find((p) => p.impl.dimension === 'gateway');
    const gateway: GatewayChecker = gatewayProbe ? new ProbeGatewayChecker(clock, gatewayProbe, config.gateway.address) : new PingGatewayChecker(runner, config.gateway.address);
    const metrics = new AgentMetrics({ cluster: config.cluster, node });
    let wake: (kind: Parameters<AgentLoop['wake']>[0]) => void = () => undefined;
    const memory = FileNodeMemory.forNode(options.stateDir, node);
    await checkStoreIdentity(store, config, memory, clock);
    const executor = new ActionExecutor({ clock, store, composition, nodes, gateway, timing: config.timing, memory, onSettled: (kind) => wake(kind) });
    const loop = new AgentLoop({
      node,
      nodes,
      clock,
      store,
      executor,
      probes: meteredProbes(composition.probes.filter((p) => p !== gatewayProbe), clock, metrics),
      logger,
      timing: config.timing,
      confirmFailures: config.probes.confirmFailures,
      fenceLevelCount: composition.fencingLevels.length,
      memory,
      cluster: config.cluster,
      keepsData: composition.resources.some((r) => r.impl.rejoin !== undefined),
      rejoinPolicy: config.rejoin,
    });
    wake = (kind) => loop.wake(kind);
    return await run(options, { clock, store, loop, executor, metrics, composition, memory });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

async function run(
  options: StartAgentOptions,
  parts: { clock: Clock; store: CoordinationStore; loop: AgentLoop; executor: ActionExecutor; metrics: AgentMetrics; composition: Composition; memory: NodeMemory },
): Promise<RunningAgent> {
  const { config, node } = options;
  const { clock, store, loop, executor, metrics, composition } = parts;
  const failovers = new FailoverMeter(metrics);
  let lastCycles = -1;
  let lastCycleAtMs = clock.monotonicMs();
  const report = (): StatusServerReport => {
    const s = loop.status();
    const now = clock.monotonicMs();
    if (s.cycles !== lastCycles) {
      lastCycles = s.cycles;
      lastCycleAtMs = now;
    }
    const ageMs = now - lastCycleAtMs;
    return {
      cluster: config.cluster,
      node,
      role: s.role,
      epoch: s.epoch ?? 0,
      leaseValid: s.role === 'primary' && s.leaseValidUntilMs !== undefined && s.leaseValidUntilMs > now,
      healthy: s.cycles > 0 && ageMs < 3 * config.timing.probeIntervalMs + config.timing.storeTimeoutMs,
      lastCycleAgeMs: Math.round(ageMs),
      summary: s.lastSummary ?? 'starting',
      maintenance: s.maintenance,
      ...(s.ineligible === undefined ? {} : { ineligible: s.ineligible }),
      storeReachable: s.storeReachable,
      ...(s.storeProblem === undefined ? {} : { storeProblem: s.storeProblem }),
    };
  };
  const listen = config.nodes[node]?.statusListen;
  const server = listen ? new StatusServer({ status: report }, metrics, { host: listen.split(':')[0] ?? '127.0.0.1', port: Number(listen.split(':')[1]), ...(config.status.token ? { token: config.status.token.reveal() } : {}) }) : undefined;
  const statusAddress = server ? await server.start() : undefined;
  loop.start();
  // Metrics follow the loop at its own pace; a timer outside the core is fine here.
  const ticker = setInterval(() => {
    const r = report();
    metrics.setRole(r.role, r.epoch);
    metrics.cycle(loop.status().cycles);
    failovers.observe(loop.status().events);
  }, config.timing.probeIntervalMs);
  ticker.unref();
  return {
    loop,
    store,
    statusAddress,
    status: report,
    async stop(): Promise<void> {
      clearInterval(ticker);
      await loop.stop();
      await executor.idle();
      await handOverOnStop({ loop, store, clock, logger: options.logger, composition, timing: config.timing, node, leaseToken: executor.leaseToken, memory: parts.memory });
      await server?.stop();
      await store.close();
    },
  };
}
