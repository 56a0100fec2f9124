import {
  ActionExecutor,
  AgentLoop,
  MemoryCoordinationStore,
  SimulatedClock,
  ok,
  outcome,
  type Composed,
  type Decision,
  type Fencer,
  type Logger,
  type NodeInfo,
  type Outcome,
  type Snapshot,
} from '@tandem/core';
import { History, formatEntry } from './history.js';
import { SimNetwork } from './network.js';
import { Prng } from './prng.js';
import { SimFencer, SimGateway, SimProbe, SimRecovery, SimResource } from './sim-components.js';
import type { SimConfig } from './sim-config.js';
import { ProcessClock, SimProcess, never } from './sim-process.js';
import { SimStoreClient } from './sim-store-client.js';

export interface HostState {
  readonly name: string;
  process: SimProcess;
  writing: boolean;
  writingEpoch: number;
  /** Writes and promotions below this epoch are refused (what a fence leaves behind). */
  fencedAt: number;
  agent: AgentLoop | undefined;
}

export type DecideFn = (snapshot: Snapshot, nowMs: number) => Decision;

export interface WorldOptions {
  readonly decide?: DecideFn;
  /** Keep a human timeline (slower): every history entry and every change of an agent's summary. */
  readonly trace?: boolean;
}

/**
 * The simulated cluster: one shared simulated clock, network and store, and
 * per node a process running the real AgentLoop, ActionExecutor and decide.
 * The world's own components write the history the checkers read.
 */
export class SimWorld {
  readonly clock = new SimulatedClock();
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly history: History;
  readonly store: MemoryCoordinationStore;
  readonly trace: string[] | undefined;
  private readonly hosts = new Map<string, HostState>();
  private readonly fencerFaults = new Map<string, { fail: number; hang: number }>();
  private storeDown = 0;
  private storeSlowMs = 0;
  private grantedEpoch = 0;
  private readonly nodeInfos: NodeInfo[];

  constructor(
    readonly config: SimConfig,
    seed: number,
    private readonly options: WorldOptions = {},
  ) {
    this.prng = new Prng(seed);
    this.network = new SimNetwork(this.clock, this.prng.fork(1));
    this.history = new History(() => this.clock.monotonicMs());
    this.store = new MemoryCoordinationStore({ clock: this.clock, eventsMax: 1000 });
    this.trace = options.trace ? [] : undefined;
    this.nodeInfos = config.nodes.map((name) => ({ name, nics: {} }));
    for (const name of config.nodes) this.hosts.set(name, { name, process: new SimProcess(name, 0), writing: false, writingEpoch: 0, fencedAt: 0, agent: undefined });
  }

  host(name: string): HostState {
    const h = this.hosts.get(name);
    if (h === undefined) throw new Error(`no simulated host ${name}`);
    return h;
  }

  /** Hosts in config order: never iterate a map in insertion-dependent order elsewhere. */
  allHosts(): HostState[] {
    return this.config.nodes.map((n) => this.host(n));
  }

  stepMs(): number {
    return this.prng.int(10, this.config.stepMaxMs);
  }

  record(entry: Parameters<History['add']>[0]): void {
    this.history.add(entry);
    const last = this.history.entries[this.history.entries.length - 1];
    if (this.trace && last && entry.kind !== 'sample' && entry.kind !== 'write') this.trace.push(formatEntry(last));
  }

  // ---- processes -------------------------------------------------------

  startAgent(name: string): void {
    const h = this.host(name);
    const p = h.process;
    const clock = new ProcessClock(this.clock, p);
    const store = new SimStoreClient(this, p);
    const composed = <T>(id: string, configPath: string, impl: T): Composed<T> => ({ id, plugin: 'sim', configPath, timeoutMs: undefined, impl });
    const fencingLevels = this.config.fenceLevels.map((level, l) =>
      level.map((id, i) => composed<Fencer>(id, `fencing.levels[${l}][${i}]`, new SimFencer(this, p, id))),
    );
    const node = this.nodeInfos.find((n) => n.name === name) ?? { name, nics: {} };
    const composition = {
      node,
      fencingLevels,
      recovery: [composed('replay', 'recovery[0]', new SimRecovery(this, clock))],
      resources: [composed('database', 'resources[0]', new SimResource(this, clock, name))],
    };
    const executor = new ActionExecutor({ clock, store, composition, nodes: this.nodeInfos, gateway: new SimGateway(this, p), timing: this.config.timing });
    h.agent = new AgentLoop({
      node: name,
      nodes: this.nodeInfos,
      clock,
      store,
      executor,
      probes: [composed('ping', 'probes.checks[0]', new SimProbe(this, p))],
      logger: this.logger(name),
      timing: this.config.timing,
      confirmFailures: this.config.confirmFailures,
      fenceLevelCount: fencingLevels.length,
      ...(this.options.decide ? { decide: this.options.decide } : {}),
    });
    h.agent.start();
  }

  crash(name: string): void {
    const h = this.host(name);
    if (h.process.status === 'crashed') return;
    h.process.crash();
    h.writing = false; // the service dies with the host
    this.record({ kind: 'crash', node: name });
  }

  restart(name: string): void {
    const h = this.host(name);
    if (h.process.status !== 'crashed') return;
    h.process = new SimProcess(name, h.process.incarnation + 1);
    this.record({ kind: 'restart', node: name });
    this.startAgent(name);
  }

  freeze(name: string): void {
    const h = this.host(name);
    if (h.process.status !== 'running') return;
    h.process.freeze();
    this.record({ kind: 'freeze', node: name });
  }

  resume(name: string): void {
    const h = this.host(name);
    if (h.process.status !== 'frozen') return;
    this.record({ kind: 'resume', node: name });
    // The worst case: the application writes before the agent has had a chance to look at its lease.
    this.attemptWrite(h);
    h.process.resume();
  }

  // ---- resources and fencing -------------------------------------------

  promoteResource(name: string, epoch: number): Outcome {
    const h = this.host(name);
    if (epoch < h.fencedAt) {
      this.record({ kind: 'promote-refused', node: name, epoch, fencedAt: h.fencedAt });
      return outcome('failed', `fenced at epoch ${h.fencedAt}; refusing to promote at ${epoch}`);
    }
    h.writing = true;
    h.writingEpoch = epoch;
    this.record({ kind: 'promote', node: name, epoch });
    return ok(`primary at epoch ${epoch}`);
  }

  /** Every successful demote is recorded, even of a resource already demoted: it is the resource's own word that it does not write. */
  demoteResource(name: string): void {
    const h = this.host(name);
    h.writing = false;
    this.record({ kind: 'demote', node: name });
  }

  fence(by: string, target: string, epoch: number): void {
    const h = this.host(target);
    h.fencedAt = Math.max(h.fencedAt, epoch);
    this.record({ kind: 'fence', by, target, epoch });
  }

  fencerMode(id: string): 'ok' | 'fail' | 'hang' {
    const f = this.fencerFaults.get(id);
    return f === undefined ? 'ok' : f.hang > 0 ? 'hang' : f.fail > 0 ? 'fail' : 'ok';
  }

  setFencerFault(id: string, mode: 'fail' | 'hang', delta: 1 | -1): void {
    const f = this.fencerFaults.get(id) ?? { fail: 0, hang: 0 };
    this.fencerFaults.set(id, { ...f, [mode]: f[mode] + delta });
  }

  attemptWrite(h: HostState): void {
    if (!h.writing || h.process.status === 'crashed') return;
    this.record({ kind: 'write', node: h.name, epoch: h.writingEpoch, accepted: h.writingEpoch >= h.fencedAt });
  }

  // ---- store -----------------------------------------------------------

  setStoreDown(delta: 1 | -1): void {
    this.storeDown += delta;
  }

  addStoreSlowness(ms: number): void {
    this.storeSlowMs += ms;
  }

  /** The store side of a call: a down store never answers, a slow one answers late. */
  async serveStore<T>(_what: string, fn: (s: MemoryCoordinationStore) => Promise<T>): Promise<T> {
    if (this.storeDown > 0) return never();
    if (this.storeSlowMs > 0) await this.clock.sleep(this.storeSlowMs);
    if (this.storeDown > 0) return never();
    return fn(this.store);
  }

  noteGrant(node: string, epoch: number): void {
    if (epoch <= this.grantedEpoch) return;
    this.grantedEpoch = epoch;
    this.record({ kind: 'lease-grant', node, epoch });
  }

  private logger(node: string): Logger {
    let last = '';
    const trace = this.trace;
    const now = (): number => this.clock.monotonicMs();
    const line = (message: string): void => {
      if (trace === undefined || message === last) return;
      last = message;
      trace.push(`${String(now()).padStart(6)} ms  [${node}] ${message}`);
    };
    const logger: Logger = { debug: () => undefined, info: (_f, m) => line(m), warn: (_f, m) => line(m), error: (_f, m) => line(`ALERT ${m}`), child: () => logger };
    return logger;
  }
}
