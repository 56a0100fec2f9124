import {
  ActionExecutor,
  AgentLoop,
  InMemoryNodeMemory,
  MemoryCoordinationStore,
  SimulatedClock,
  ok,
  outcome,
  type ClusterIdentity,
  type Composed,
  type Decision,
  type Fencer,
  type Logger,
  type NodeInfo,
  type Outcome,
  type PrimaryRecord,
  type Snapshot,
} from '@tandem/core';
import { History, formatEntry, type FencerFacts } from './history.js';
import { isPrefix, mirrorFollowing, segmentsOf, type LogEntry, type Mirror } from './sim-log.js';
import { SimNetwork } from './network.js';
import { Prng } from './prng.js';
import { SimFencer, SimGateway, SimProbe, SimRecovery, SimResource } from './sim-components.js';
import type { SimConfig } from './sim-config.js';
import { ProcessClock, SimProcess, never } from './sim-process.js';
import { SimStoreClient } from './sim-store-client.js';

/** The simulated cluster's name (the config's `cluster`): every agent checks the store's identity against it. */
export const SIM_CLUSTER = 'sim';

export type DbState = 'primary' | 'replica' | 'stopped';

export interface HostState {
  readonly name: string;
  process: SimProcess;
  /** The database: running as primary (it writes) or replica, or stopped (a crash stops it; a restart leaves it stopped). */
  db: DbState;
  writingEpoch: number;
  /** Writes and promotions below this epoch are refused (what a fence leaves behind). */
  fencedAt: number;
  agent: AgentLoop | undefined;
  /** The database's log; positions are 1-based (`log[p - 1].pos === p`). Survives crashes (it is on disk). */
  log: LogEntry[];
  /** The primary this replica follows, set by a successful start as its replica (and the WAL mirror with it). */
  upstream: string | undefined;
  /** The WAL mirror on this node. */
  mirror: Mirror;
  /** On a primary: log positions up to here are acknowledged. */
  ackedUpTo: number;
  /** Replication lag: a replica applies what its primary had one write interval ago. */
  catchUpTo: number;
  /** The node's own disk record (promotions, rejoins); kept across restarts as a disk would be. */
  readonly memory: InMemoryNodeMemory;
  /** Only the agent process died (`agent-restart`): the host and its database run on. */
  agentOnly: boolean;
}

/** Whether the host (and so its database) runs: not frozen, not down; a dead agent alone does not stop it. */
export function hostRuns(h: HostState): boolean {
  return h.process.status === 'running' || (h.process.status === 'crashed' && h.agentOnly);
}


export type DecideFn = (snapshot: Snapshot, nowMs: number) => Decision;

export interface WorldOptions {
  readonly decide?: DecideFn;
  /** Keep a human timeline (slower): every history entry and every change of an agent's summary. */
  readonly trace?: boolean;
  /** A planted bug: the recovery replays nothing and refuses nothing, as if every candidate held every write. */
  readonly brokenRecovery?: boolean;
  /** `rejoin: auto` (a stale former primary rejoins by itself) or the default `manual`. */
  readonly rejoinPolicy?: 'manual' | 'auto';
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
  /** The store's identity, written once at the world's start as `tandem init` would. */
  readonly identity: ClusterIdentity;
  private currentStore: MemoryCoordinationStore;
  /** Store-loss faults in force (restarted empty, replaced); the store is restored when the last heals. */
  private storeLost = 0;
  /** What an operator's backup holds, taken when the store was first lost: identity, epoch counter, last primary. */
  private backup: Promise<readonly [epoch: number, primary: PrimaryRecord | undefined]> | undefined;
  private replacements = 0;
  readonly trace: string[] | undefined;
  private readonly hosts = new Map<string, HostState>();
  private readonly fencerFaults = new Map<string, { fail: number; hang: number }>();
  private storeDown = 0;
  private storeSlowMs = 0;
  private grantedEpoch = 0;
  private readonly nodeInfos: NodeInfo[];
  /** Every acknowledged write, in order: what the application was told is committed. */
  readonly acked: LogEntry[] = [];
  /** The newest promotion known: the store's record or a database's promotion, whichever has the higher epoch. */
  private lastPrimary: { node: string; epoch: number } | undefined;

  constructor(
    readonly config: SimConfig,
    seed: number,
    private readonly options: WorldOptions = {},
  ) {
    this.prng = new Prng(seed);
    this.network = new SimNetwork(this.clock, this.prng.fork(1));
    this.history = new History(() => this.clock.monotonicMs());
    this.currentStore = this.freshStore();
    this.identity = { clusterId: `sim-${(seed >>> 0).toString(16)}`, cluster: SIM_CLUSTER, createdAtWallMs: this.clock.wallMs() };
    // The memory store sets it before its first await: the identity is there before any agent starts.
    void this.currentStore.initIdentity(this.identity);
    this.trace = options.trace ? [] : undefined;
    this.nodeInfos = config.nodes.map((name) => ({ name, nics: {} }));
    // A provisioned cluster: every database runs as a standby with an empty log until the first election.
    for (const name of config.nodes) {
      this.hosts.set(name, {
        name,
        process: new SimProcess(name, 0),
        db: 'replica',
        writingEpoch: 0,
        fencedAt: 0,
        agent: undefined,
        log: [],
        upstream: undefined,
        mirror: { src: [], upTo: 0 },
        ackedUpTo: 0,
        catchUpTo: 0,
        memory: new InMemoryNodeMemory(),
        agentOnly: false,
      });
    }
  }

  /** The store the cluster talks to now (a store-loss fault swaps it). */
  get store(): MemoryCoordinationStore {
    return this.currentStore;
  }

  get brokenRecovery(): boolean {
    return this.options.brokenRecovery === true;
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
      recovery: [composed('replay', 'recovery[0]', new SimRecovery(this, clock, name))],
      resources: [composed('database', 'resources[0]', new SimResource(this, clock, name))],
    };
    const memory = h.memory;
    // Each agent process has its own lease token (a restart is a new process): deterministic, so a seed replays.
    const leaseToken = `${name}#${p.incarnation}`;
    const executor = new ActionExecutor({ clock, store, composition, nodes: this.nodeInfos, gateway: new SimGateway(this, p), timing: this.config.timing, memory, leaseToken });
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
      memory,
      rejoinPolicy: this.options.rejoinPolicy ?? 'manual',
      cluster: SIM_CLUSTER,
      ...(this.options.decide ? { decide: this.options.decide } : {}),
    });
    h.agent.start();
  }

  crash(name: string): void {
    const h = this.host(name);
    if (h.process.status === 'crashed') return;
    h.process.crash();
    h.agentOnly = false;
    // The database dies with the host; its log and mirror stay on disk.
    h.db = 'stopped';
    h.upstream = undefined;
    this.record({ kind: 'crash', node: name });
  }

  /** Only the agent dies (killed, an OOM, a bad upgrade): the database keeps running in whatever role it had. */
  crashAgent(name: string): void {
    const h = this.host(name);
    if (h.process.status !== 'running') return;
    h.process.crash();
    h.agentOnly = true;
    this.record({ kind: 'crash', node: name, agentOnly: true });
  }

  restart(name: string): void {
    const h = this.host(name);
    if (h.process.status !== 'crashed') return;
    h.agentOnly = false;
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
    h.db = 'primary';
    h.upstream = undefined;
    h.writingEpoch = epoch;
    // What it held before is acknowledged or not by its old primary: nothing of it is this primary's to acknowledge.
    h.ackedUpTo = h.log.length;
    this.notePrimary(name, epoch);
    this.record({ kind: 'promote', node: name, epoch, log: segmentsOf(h.log) });
    return ok(`primary at epoch ${epoch}`);
  }

  /** Every successful demote is recorded, even of a resource already demoted: it is the resource's own word that it does not write. */
  demoteResource(name: string): void {
    const h = this.host(name);
    // A demoted primary runs on as a standby of nobody until it is told to follow; a stopped database stays stopped.
    if (h.db === 'primary') h.db = 'replica';
    this.record({ kind: 'demote', node: name });
  }

  stopResource(name: string): void {
    const h = this.host(name);
    h.db = 'stopped';
    h.upstream = undefined;
    this.record({ kind: 'demote', node: name });
  }

  /**
   * Start (or keep) the database as a replica of `primary`. A log with an
   * entry the primary lacks cannot follow it (a timeline that diverged):
   * the start fails until a rejoin.
   */
  startReplica(name: string, primary: string | undefined): Outcome {
    const h = this.host(name);
    if (h.db === 'primary') return outcome('failed', 'the database runs as primary; demote it first');
    if (primary === undefined || primary === name) {
      if (h.db === 'stopped') h.db = 'replica';
      return ok('running as a standby');
    }
    const p = this.host(primary);
    if (!isPrefix(h.log, p.log)) {
      this.record({ kind: 'follow-refused', node: name, primary });
      return outcome('failed', `log diverged from ${primary}'s (position ${h.log.length} vs ${p.log.length}); rejoin needed`);
    }
    h.db = 'replica';
    h.mirror = mirrorFollowing(h.mirror, h.log, p.log);
    h.upstream = primary;
    h.catchUpTo = h.log.length;
    return ok(`replica of ${primary}`);
  }

  /** pg_rewind or a fresh copy: truncate to the common prefix, copy the rest from the primary, follow it. */
  rejoinResource(name: string, primary: string | undefined): Outcome {
    const h = this.host(name);
    if (primary === undefined || primary === name) return outcome('failed', 'no primary to rejoin');
    const p = this.host(primary);
    if (h.db === 'primary') return outcome('failed', 'the database runs as primary; demote it first');
    if (!hostRuns(p) || !this.network.delivers(name, primary) || !this.network.delivers(primary, name)) {
      return outcome('failed', `cannot reach ${primary} to copy from`);
    }
    h.log = p.log.slice();
    h.db = 'replica';
    h.upstream = primary;
    h.mirror = { src: p.log, upTo: p.log.length };
    h.catchUpTo = h.log.length;
    this.record({ kind: 'rejoin', node: name, primary });
    return ok(`rewound and copied from ${primary} (position ${h.log.length})`);
  }

  /**
   * A fence leaves the target refusing epochs below `epoch` and its
   * database stopped, as a power-off does (the host is back at once, its
   * agent running; the database stays stopped until the agent starts it).
   */
  /**
   * A fence lands. `facts` are the sender's as the world saw them when it
   * sent the command: a sender that crashes while its command is on the
   * wire was judged eligible by what it knew when it decided.
   */
  fence(by: string, target: string, epoch: number, facts: FencerFacts = this.factsOf(by)): void {
    const h = this.host(target);
    h.fencedAt = Math.max(h.fencedAt, epoch);
    h.db = 'stopped';
    h.upstream = undefined;
    this.record({ kind: 'fence', by, target, epoch, facts });
  }

  /** The fencing node's eligibility as the world sees it: its database's state and its log against the last primary's. */
  factsOf(name: string): FencerFacts {
    const h = this.host(name);
    const last = this.lastPrimary;
    const isLast = last !== undefined && last.node === name;
    const diverged = !isLast && last !== undefined && !isPrefix(h.log, this.host(last.node).log);
    return { db: h.db, lastPrimary: isLast, diverged, noPromotionYet: last === undefined };
  }

  notePrimary(node: string, epoch: number): void {
    if (this.lastPrimary === undefined || epoch > this.lastPrimary.epoch) this.lastPrimary = { node, epoch };
  }

  noteRecordPrimary(node: string, epoch: number): void {
    this.notePrimary(node, epoch);
    this.record({ kind: 'record-primary', node, epoch });
  }

  /** Each node's data as it is now (after the last heal, for the liveness invariant). */
  recordData(): void {
    for (const h of this.allHosts()) {
      const m = h.mirror;
      const beyond = isPrefix(h.log, m.src, m.upTo) ? segmentsOf(m.src, h.log.length, m.upTo) : [];
      this.record({ kind: 'data', node: h.name, log: segmentsOf(h.log), mirror: beyond });
    }
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
    if (h.db !== 'primary' || (h.process.status === 'crashed' && !h.agentOnly)) return;
    const accepted = h.writingEpoch >= h.fencedAt;
    this.record({ kind: 'write', node: h.name, epoch: h.writingEpoch, accepted });
    if (!accepted) return;
    h.log.push({ epoch: h.writingEpoch, pos: h.log.length + 1, by: h.name });
    this.ship(h);
  }

  /**
   * The primary streams its log to the WAL mirror of every replica that
   * follows it and that it can reach both ways. With zero loss a write is
   * acknowledged once a mirror holds it (the commit waits till then);
   * otherwise at once.
   */
  private ship(p: HostState): void {
    let reached = !this.config.zeroLoss;
    for (const m of this.allHosts()) {
      if (m === p || m.db !== 'replica' || m.upstream !== p.name || !hostRuns(m)) continue;
      if (!this.network.delivers(p.name, m.name) || !this.network.delivers(m.name, p.name)) continue;
      m.mirror = { src: p.log, upTo: p.log.length };
      reached = true;
    }
    if (!reached) return;
    for (let i = p.ackedUpTo; i < p.log.length; i++) {
      const e = p.log[i];
      if (e === undefined) break;
      this.acked.push(e);
      this.history.add({ kind: 'ack', node: e.by, epoch: e.epoch, pos: e.pos });
    }
    p.ackedUpTo = p.log.length;
  }

  /** One replication step, every write interval: primaries ship, replicas apply what their primary had one step ago. */
  replicate(): void {
    const hosts = this.allHosts();
    for (const p of hosts) if (p.db === 'primary' && hostRuns(p) && p.ackedUpTo < p.log.length) this.ship(p);
    for (const r of hosts) {
      if (r.db !== 'replica' || r.upstream === undefined || !hostRuns(r)) continue;
      const p = this.host(r.upstream);
      if (p.db !== 'primary' || !hostRuns(p) || !this.network.delivers(p.name, r.name) || !this.network.delivers(r.name, p.name)) continue;
      if (!isPrefix(r.log, p.log)) continue; // diverged: it stays behind
      const to = Math.min(r.catchUpTo, p.log.length);
      for (let i = r.log.length; i < to; i++) r.log.push(p.log[i] as LogEntry);
      r.catchUpTo = p.log.length;
    }
  }

  /**
   * The recovery on a candidate: replay its WAL mirror into its log, then
   * refuse (as recovery-compensate does for a zero-loss promotion) when it
   * would still lack an acknowledged write, unless loss is accepted.
   */
  replayMirror(name: string, acceptDataLoss: boolean): Outcome<{ compensated: number; missing: number }> {
    const h = this.host(name);
    if (this.brokenRecovery) return ok('replayed (planted: nothing checked)', { compensated: 0, missing: 0 });
    if (h.db !== 'replica') {
      const why = `cannot read the standby's replay position: the database is ${h.db === 'stopped' ? 'not running' : 'a primary'}`;
      if (acceptDataLoss) return ok(`${why}; loss accepted`, { compensated: 0, missing: -1 });
      this.record({ kind: 'recovery-refused', node: name, reason: why });
      return outcome('failed', why);
    }
    const m = h.mirror;
    const before = h.log.length;
    if (m.upTo > before && isPrefix(h.log, m.src, m.upTo)) for (let i = before; i < m.upTo; i++) h.log.push(m.src[i] as LogEntry);
    const missing = this.acked.filter((e) => h.log[e.pos - 1] !== e).length;
    if (missing > 0 && !acceptDataLoss && this.config.zeroLoss) {
      const why = `refusing a zero-loss promotion: ${missing} acknowledged write(s) are neither in the database nor in its mirror`;
      this.record({ kind: 'recovery-refused', node: name, reason: why });
      return outcome('failed', why);
    }
    return ok(`replayed ${h.log.length - before} write(s) from the mirror`, { compensated: h.log.length - before, missing });
  }

  // ---- store -----------------------------------------------------------

  setStoreDown(delta: 1 | -1): void {
    this.storeDown += delta;
  }

  addStoreSlowness(ms: number): void {
    this.storeSlowMs += ms;
  }

  private freshStore(): MemoryCoordinationStore {
    return new MemoryCoordinationStore({ clock: this.clock, eventsMax: 1000 });
  }

  /**
   * The store loses everything: `empty` is Redis without persistence after a
   * restart (no identity, no epochs, no records); `replaced` is a fresh store
   * that someone re-initialised with a new cluster id under the same cluster
   * name. Either stays so until the last store-loss fault heals
   * (`restoreStore`): nobody in the cluster can repair it.
   */
  loseStore(how: 'empty' | 'replaced'): void {
    const old = this.currentStore;
    // The memory store reads before its first await: the backup is the store as it was at the loss.
    if (this.storeLost++ === 0) this.backup = Promise.all([old.lastEpoch(), old.lastPrimary()]);
    this.currentStore = this.freshStore();
    if (how === 'replaced') {
      const n = ++this.replacements;
      void this.currentStore.initIdentity({ clusterId: `${this.identity.clusterId}-replaced-${n}`, cluster: SIM_CLUSTER, createdAtWallMs: this.clock.wallMs() });
    }
  }

  /**
   * An operator restores the store from a backup once the last store-loss
   * fault heals: the original identity, an epoch counter as high as it was
   * (the memory store has no setter: leases taken and released by a
   * restore-only holder raise it) and the last primary record. Leases,
   * members and settings are not restored (they would have lapsed).
   */
  async restoreStore(): Promise<void> {
    if (--this.storeLost > 0) return;
    const backup = this.backup;
    this.backup = undefined;
    const s = this.freshStore();
    await s.initIdentity(this.identity);
    const [epoch, primary] = (await backup) ?? [0, undefined];
    while ((await s.lastEpoch()) < epoch) {
      // The last primary's own epoch is taken in its name: a promotion is only recorded under its lease.
      const holder = primary !== undefined && (await s.lastEpoch()) === primary.epoch - 1 ? primary.node : '(restore)';
      const r = await s.acquireLease(holder, 1);
      if (!r.acquired) throw new Error(`restoring the store: the fresh store refused a lease to ${holder}`);
      if (holder === primary?.node) await s.recordPrimary(primary);
      await s.releaseLease(holder, r.lease.epoch);
    }
    // Only now does the cluster see it: a half-restored store is never served.
    if (this.storeLost === 0) this.currentStore = s;
  }

  /** The store side of a call: a down store never answers, a slow one answers late. */
  async serveStore<T>(_what: string, fn: (s: MemoryCoordinationStore) => Promise<T>): Promise<T> {
    if (this.storeDown > 0) return never();
    if (this.storeSlowMs > 0) await this.clock.sleep(this.storeSlowMs);
    if (this.storeDown > 0) return never();
    return fn(this.currentStore);
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
