import { FENCE_ATTEMPTS_MAX, fenceActionTimeoutMs, gatewayFreshMs } from '@tandem/core';
import { checkFenceRepeats, checkLiveness, checkSafety, type Violation } from './checkers.js';
import { describeFault, planFaults, startFault, type FaultShape } from './faults.js';
import { DEFAULT_SIM_CONFIG, TWO_NODE_SIM_CONFIG, livenessBound, type SimConfig } from './sim-config.js';
import { Prng } from './prng.js';
import { SimWorld, hostRuns, type DecideFn } from './world.js';

export interface SeedOptions {
  readonly config?: SimConfig;
  readonly decide?: DecideFn;
  readonly trace?: boolean;
  /** A planted bug: the recovery promotes whatever the candidate holds. */
  readonly brokenRecovery?: boolean;
  /** Force one kind of fault plan (by default each seed draws one). */
  readonly faultShape?: FaultShape;
}

export interface SeedResult {
  readonly seed: number;
  readonly violations: readonly Violation[];
  readonly faults: readonly string[];
  readonly healAtMs: number;
  readonly boundMs: number;
  /** When, after the heal, a single primary held the lease and kept it to the end; undefined if never. */
  readonly primaryAtMs: number | undefined;
  /** After the heal no node held every acknowledged write: no primary was owed (liveness not required). */
  readonly unrestorable: boolean;
  readonly rejoinPolicy: 'manual' | 'auto';
  readonly nodes: number;
  /** Fence events after the heal. */
  readonly fencesAfterHeal: number;
  readonly endMs: number;
  readonly promotions: number;
  readonly historyLength: number;
  /** A fingerprint of the whole history: two runs of one seed must agree on it. */
  readonly fingerprint: string;
  readonly trace?: readonly string[];
}

/** Let every promise continuation run before simulated time moves again. Not a timer: it waits for nothing but the microtask queue to drain. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function runUntil(world: SimWorld, endMs: number): Promise<void> {
  const clock = world.clock;
  for (;;) {
    await drain();
    const next = clock.nextDueMs();
    if (next === undefined || next > endMs) break;
    await clock.advance(Math.max(0, next - clock.monotonicMs()));
  }
  await clock.advance(Math.max(0, endMs - clock.monotonicMs()));
}

/** A background task of the world itself (writes, samples, fault schedule), on the world clock. */
function every(world: SimWorld, intervalMs: number, endMs: number, tick: () => void | Promise<void>): void {
  void (async () => {
    while (world.clock.monotonicMs() + intervalMs <= endMs) {
      await world.clock.sleep(intervalMs);
      await tick();
    }
  })();
}

function fnv1a(text: string, hash: number): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Run one seed: start the agents (two or three nodes), inject the seed's faults, heal, and check the history. */
export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedResult> {
  // A quarter of the seeds simulate two servers (the zero-loss pair: one replica, so one mirror), the rest three.
  const config = options.config ?? (new Prng(seed).fork(4).chance(0.25) ? TWO_NODE_SIM_CONFIG : DEFAULT_SIM_CONFIG);
  // Half the seeds run `rejoin: auto` (a stale former primary rewinds itself), half the default `manual`.
  const rejoinPolicy = new Prng(seed).fork(3).chance(0.5) ? 'auto' : 'manual';
  const world = new SimWorld(config, seed, {
    rejoinPolicy,
    ...(options.decide ? { decide: options.decide } : {}),
    ...(options.trace ? { trace: true } : {}),
    ...(options.brokenRecovery ? { brokenRecovery: true } : {}),
  });
  const faults = planFaults(world.prng.fork(2), config, options.faultShape);
  const healAtMs = Math.max(config.faultsFromMs, ...faults.map((f) => f.atMs + f.durationMs));
  const { boundMs } = livenessBound(config);
  const endMs = healAtMs + boundMs + 2 * config.timing.probeIntervalMs;
  for (const name of config.nodes) world.startAgent(name);
  const hit: (string | undefined)[] = [];
  faults.forEach((f, i) => {
    void world.clock.sleep(f.atMs).then(() => {
      const { node, heal } = startFault(world, f, hit);
      hit[i] = node;
      world.record({ kind: 'fault', description: `${describeFault(f)} (${node})` });
      return world.clock.sleep(f.durationMs).then(() => {
        heal();
        world.record({ kind: 'heal', description: describeFault(f) });
      });
    });
  });
  // Just after the last heal: who holds which writes (the liveness invariant owes a primary only if someone holds them all).
  void world.clock.sleep(healAtMs + 1).then(() => world.recordData());
  every(world, config.writeIntervalMs, endMs, () => {
    world.allHosts().forEach((h) => hostRuns(h) && world.attemptWrite(h));
    world.replicate();
  });
  every(world, config.sampleIntervalMs, endMs, async () => {
    const lease = await world.store.readLease();
    world.record({ kind: 'sample', leaseHolder: lease?.holder, leaseEpoch: lease?.epoch });
  });
  await runUntil(world, endMs);
  const history = world.history.entries;
  const violations = [...checkSafety(history, { gatewayWindowMs: gatewayFreshMs(config.timing) + config.timing.probeIntervalMs, zeroLoss: config.zeroLoss })];
  const live = checkLiveness(history, healAtMs, boundMs);
  if (live.violation) violations.push(live.violation);
  // One fence action may record several fence events (two devices of a level, a second attempt): a burst is one fence.
  const repeats = checkFenceRepeats(history, healAtMs, FENCE_ATTEMPTS_MAX * fenceActionTimeoutMs(config.timing, config.fenceLevels.length));
  violations.push(...repeats.violations);
  let fingerprint = 2166136261;
  for (const e of history) fingerprint = fnv1a(JSON.stringify(e), fingerprint);
  return {
    seed,
    violations,
    faults: faults.map(describeFault),
    healAtMs,
    boundMs,
    primaryAtMs: live.primaryAtMs,
    unrestorable: live.unrestorable,
    rejoinPolicy,
    nodes: config.nodes.length,
    fencesAfterHeal: repeats.fences,
    endMs,
    promotions: history.filter((e) => e.kind === 'promote').length,
    historyLength: history.length,
    fingerprint: fingerprint.toString(16),
    ...(world.trace ? { trace: world.trace } : {}),
  };
}
