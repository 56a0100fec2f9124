import type { Prng } from './prng.js';
import type { SimConfig } from './sim-config.js';
import type { SimWorld } from './world.js';

export type FaultKind =
  | 'crash'
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
  | 'switchover';

/** One planned fault. `node: 'primary'` is resolved when the fault starts, to hit whoever is primary then. */
export interface Fault {
  readonly kind: FaultKind;
  readonly atMs: number;
  readonly durationMs: number;
  readonly node: string;
  /** one-way: the other end; fencer faults: the fencer id. */
  readonly other: string;
  readonly extraMs: number;
}

const KINDS: readonly FaultKind[] = ['crash', 'freeze', 'isolate', 'store-cut', 'one-way', 'gateway-cut', 'store-outage', 'store-slow', 'fencer-fail', 'fencer-hang', 'net-delay', 'switchover'];

/** One to four faults, all healed by `faultsUntilMs`. */
export function planFaults(prng: Prng, c: SimConfig): Fault[] {
  const count = prng.int(1, 4);
  const faults: Fault[] = [];
  const fencers = c.fenceLevels.flat();
  for (let i = 0; i < count; i++) {
    const kind = prng.pick(KINDS);
    const durationMs = kind === 'switchover' ? 0 : prng.int(500, 12_000);
    const atMs = prng.int(c.faultsFromMs, c.faultsUntilMs - durationMs);
    const node = prng.chance(0.6) ? 'primary' : prng.pick(c.nodes);
    const other = kind.startsWith('fencer') ? prng.pick(fencers) : prng.pick([...c.nodes, 'store', 'gateway']);
    faults.push({ kind, atMs, durationMs, node, other, extraMs: prng.int(100, 1500) });
  }
  return faults.sort((a, b) => a.atMs - b.atMs || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
}

export function describeFault(f: Fault): string {
  const who = f.kind.startsWith('fencer') ? f.other : f.kind === 'one-way' ? `${f.node}->${f.other}` : f.node;
  return `${f.kind} ${who} at ${f.atMs} ms for ${f.durationMs} ms`;
}

/** The current primary: the node writing, else the lease holder's node, else the first node. */
function resolveNode(world: SimWorld, node: string): string {
  if (node !== 'primary') return node;
  return world.allHosts().find((h) => h.writing)?.name ?? world.config.nodes[0] ?? 'db1';
}

/** Start a fault; returns how to heal it. */
export function startFault(world: SimWorld, f: Fault): () => void {
  const node = resolveNode(world, f.node);
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
