import type { Prng } from './prng.js';
import type { SimConfig } from './sim-config.js';
import type { SimWorld } from './world.js';

export type FaultKind =
  | 'crash'
  | 'agent-restart'
  | 'freeze'
  | 'isolate'
  | 'store-cut'
  | 'one-way'
  | 'gateway-cut'
  | 'store-outage'
  | 'store-slow'
  | 'fencer-fail'
  | 'fencer-hang'
  | 'net-delay'
  | 'switchover'
  | 'store-empty'
  | 'store-replaced';

/**
 * One planned fault. `node: 'primary'` is resolved when the fault starts, to
 * hit whoever is primary then; `node: 'same'` hits the node fault `sameAs`
 * (an index in the plan) hit.
 */
export interface Fault {
  readonly kind: FaultKind;
  readonly sameAs?: number;
  readonly atMs: number;
  readonly durationMs: number;
  readonly node: string;
  /** one-way: the other end; fencer faults: the fencer id. */
  readonly other: string;
  readonly extraMs: number;
}

const KINDS: readonly FaultKind[] = ['crash', 'agent-restart', 'freeze', 'isolate', 'store-cut', 'one-way', 'gateway-cut', 'store-outage', 'store-slow', 'fencer-fail', 'fencer-hang', 'net-delay', 'switchover', 'store-empty', 'store-replaced'];
/** The kinds drawn by `randomFaults`; the store losses are added apart, at a lower rate (`storeLoss`). */
const RANDOM_KINDS: readonly FaultKind[] = KINDS.filter((k) => k !== 'store-empty' && k !== 'store-replaced');

export type FaultShape = 'random' | 'chain-2' | 'chain-3' | 'stale-primary' | 'restart-all';

const SHAPES: readonly FaultShape[] = ['random', 'random', 'random', 'random', 'random', 'chain-2', 'chain-3', 'stale-primary', 'restart-all', 'restart-all'];

/**
 * A seed's faults: half the seeds draw one to four independent faults
 * (healed by `faultsUntilMs`); the rest draw a chain of two or three
 * failures in a row (the primary fails, then the node that took over fails
 * right after, then it restarts; healed by about 30 s), a stale former
 * primary (frozen past a failover, then thawed), or a restart of every node.
 * `shape` forces one kind of plan (the planted-bug tests aim at the faults
 * that expose them); the seed still draws one, so the rest of it is unchanged.
 */
export function planFaults(prng: Prng, c: SimConfig, shape?: FaultShape): Fault[] {
  const drawn = prng.pick(SHAPES);
  const which = shape ?? drawn;
  const faults =
    which === 'random'
      ? randomFaults(prng, c)
      : which === 'chain-2' || which === 'chain-3'
        ? chain(prng, c, which === 'chain-2' ? 2 : 3)
        : which === 'stale-primary'
          ? [...stalePrimary(prng, c), ...randomFaults(prng, c, prng.int(0, 1))]
          : restartAll(prng, c);
  // Drawn last from its own stream, so the rest of a seed's plan is what it was before store losses existed.
  faults.push(...storeLoss(prng.fork(7), c));
  return faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || KINDS.indexOf(a.f.kind) - KINDS.indexOf(b.f.kind) || a.i - b.i)
    .map(({ f }, _, all) => (f.sameAs === undefined ? f : { ...f, sameAs: all.findIndex((x) => x.i === f.sameAs) }));
}

function fault(kind: FaultKind, atMs: number, durationMs: number, node: string, prng: Prng, c: SimConfig, sameAs?: number): Fault {
  const other = kind.startsWith('fencer') ? prng.pick(c.fenceLevels.flat()) : prng.pick([...c.nodes, 'store', 'gateway']);
  return { kind, atMs, durationMs, node, other, extraMs: prng.int(100, 1500), ...(sameAs === undefined ? {} : { sameAs }) };
}

function randomFaults(prng: Prng, c: SimConfig, count = prng.int(1, 4)): Fault[] {
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) {
    const kind = prng.pick(RANDOM_KINDS);
    const durationMs = kind === 'switchover' ? 0 : prng.int(500, 12_000);
    const atMs = prng.int(c.faultsFromMs, c.faultsUntilMs - durationMs);
    faults.push(fault(kind, atMs, durationMs, prng.chance(0.6) ? 'primary' : prng.pick(c.nodes), prng, c));
  }
  return faults;
}

/** How long after a primary fails a replica has usually taken over (measured: 7-10 s): the lease lapses, then fence, compensate, promote. */
function takeoverMs(prng: Prng, c: SimConfig): number {
  return c.timing.leaseTtlMs + prng.int(3000, 6000);
}

/**
 * The primary fails; right after the node that took over fails too; in a
 * chain of three, that node then crashes and restarts (the loop of issue
 * 13: freeze the primary, isolate the new one, restart it).
 */
function chain(prng: Prng, c: SimConfig, length: 2 | 3): Fault[] {
  const t0 = prng.int(c.faultsFromMs, c.faultsFromMs + 3000);
  const first = prng.pick(['freeze', 'crash', 'isolate'] as const);
  // Long enough for a failover (a crash is one by itself: the restarted node comes back stopped and without its lease).
  const d0 = first === 'crash' ? prng.int(2000, 12_000) : prng.int(9000, 16_000);
  const t1 = t0 + takeoverMs(prng, c);
  const second = prng.pick(['isolate', 'freeze', 'crash', 'agent-restart', 'store-cut'] as const);
  const d1 = prng.int(2000, 8000);
  const out = [fault(first, t0, d0, 'primary', prng, c), fault(second, t1, d1, 'primary', prng, c)];
  if (length === 3) out.push(fault('crash', t1 + prng.int(300, 3000), prng.int(1000, 6000), 'same', prng, c, 1));
  return out;
}

/** A frozen primary thawed after a failover: it comes back believing it is primary, with writes nobody else has. */
function stalePrimary(prng: Prng, c: SimConfig): Fault[] {
  return [fault('freeze', prng.int(c.faultsFromMs, c.faultsUntilMs - 16_000), prng.int(10_000, 16_000), 'primary', prng, c)];
}

/**
 * Every node restarts, in some order. Half the time all hosts go down (a
 * power cut: every database comes back stopped); otherwise each node loses
 * either its host or only its agent (a rolling upgrade gone wrong: the
 * database runs on, the new agent never saw a lease).
 */
function restartAll(prng: Prng, c: SimConfig): Fault[] {
  const t = prng.int(c.faultsFromMs, c.faultsUntilMs - 10_000);
  const powerCut = prng.chance(0.5);
  return c.nodes.map((n) => fault(powerCut || prng.chance(0.5) ? 'crash' : 'agent-restart', t + prng.int(0, 1500), prng.int(500, 8000), n, prng, c));
}

/**
 * In one seed in twelve, the store loses everything once: restarted empty
 * (Redis without persistence) or replaced (re-initialised with a new cluster
 * id). It stays so until the fault heals, when an operator restores it from
 * a backup (original identity, epoch counter as high as before).
 */
function storeLoss(prng: Prng, c: SimConfig): Fault[] {
  if (!prng.chance(1 / 12)) return [];
  const kind = prng.chance(0.6) ? 'store-empty' : 'store-replaced';
  const durationMs = prng.int(1000, 10_000);
  return [fault(kind, prng.int(c.faultsFromMs, c.faultsUntilMs - durationMs), durationMs, 'store', prng, c)];
}

export function describeFault(f: Fault): string {
  const node = f.node === 'same' ? `(node of fault ${f.sameAs ?? '?'})` : f.node;
  const who = f.kind.startsWith('fencer') ? f.other : f.kind === 'one-way' ? `${node}->${f.other}` : node;
  return `${f.kind} ${who} at ${f.atMs} ms for ${f.durationMs} ms`;
}

/** The current primary: the database promoted at the highest epoch (a frozen old primary still runs as one), else the first node. */
function resolveNode(world: SimWorld, f: Fault, earlier: readonly (string | undefined)[]): string {
  if (f.node === 'same') return earlier[f.sameAs ?? -1] ?? world.config.nodes[0] ?? 'db1';
  if (f.node !== 'primary') return f.node;
  const primaries = world.allHosts().filter((h) => h.db === 'primary');
  return primaries.sort((a, b) => b.writingEpoch - a.writingEpoch)[0]?.name ?? world.config.nodes[0] ?? 'db1';
}

/** Start a fault; returns the node it hit and how to heal it. `earlier`: the nodes the plan's earlier faults hit. */
export function startFault(world: SimWorld, f: Fault, earlier: readonly (string | undefined)[] = []): { node: string; heal: () => void } {
  const node = resolveNode(world, f, earlier);
  return { node, heal: injectFault(world, f, node) };
}

function injectFault(world: SimWorld, f: Fault, node: string): () => void {
  const net = world.network;
  const others = [...world.config.nodes.filter((n) => n !== node), 'store', 'gateway'];
  const both = (a: string, b: string, on: boolean): void => {
    if (on) (net.block(a, b), net.block(b, a));
    else (net.unblock(a, b), net.unblock(b, a));
  };
  switch (f.kind) {
    case 'crash':
      world.crash(node);
      return () => world.restart(node);
    case 'agent-restart':
      world.crashAgent(node);
      return () => world.restart(node);
    case 'freeze':
      world.freeze(node);
      return () => world.resume(node);
    case 'isolate':
      for (const o of others) both(node, o, true);
      return () => others.forEach((o) => both(node, o, false));
    case 'store-cut':
      both(node, 'store', true);
      return () => both(node, 'store', false);
    case 'gateway-cut':
      both(node, 'gateway', true);
      return () => both(node, 'gateway', false);
    case 'one-way': {
      const to = f.other === node ? 'store' : f.other;
      net.block(node, to);
      return () => net.unblock(node, to);
    }
    case 'store-outage':
      world.setStoreDown(1);
      return () => world.setStoreDown(-1);
    case 'store-slow':
      world.addStoreSlowness(f.extraMs);
      return () => world.addStoreSlowness(-f.extraMs);
    case 'fencer-fail':
    case 'fencer-hang': {
      const mode = f.kind === 'fencer-fail' ? 'fail' : 'hang';
      world.setFencerFault(f.other, mode, 1);
      return () => world.setFencerFault(f.other, mode, -1);
    }
    case 'net-delay':
      net.addDelay(f.extraMs);
      return () => net.addDelay(-f.extraMs);
    case 'store-empty':
    case 'store-replaced':
      world.loseStore(f.kind === 'store-empty' ? 'empty' : 'replaced');
      return () => void world.restoreStore();
    case 'switchover':
      requestSwitchover(world, node);
      return () => undefined;
  }
}

/** What an operator's `tandem switchover` does: write a request naming a replica as target. */
function requestSwitchover(world: SimWorld, primary: string): void {
  const candidates = world.config.nodes.filter((n) => n !== primary);
  const target = world.prng.pick(candidates);
  void world.store.updateSettings({ request: { id: `sw-${world.clock.monotonicMs()}`, kind: 'switchover', target, from: primary, requestedAtWallMs: world.clock.wallMs() } });
}
