import { gatewayFreshMs } from '@tandem/core';
import { checkLiveness, checkSafety, type Violation } from './checkers.js';
import { describeFault, planFaults, startFault } from './faults.js';
import { DEFAULT_SIM_CONFIG, livenessBound, type SimConfig } from './sim-config.js';
import { SimWorld, type DecideFn } from './world.js';

export interface SeedOptions {
  readonly config?: SimConfig;
  readonly decide?: DecideFn;
  readonly trace?: boolean;
}

export interface SeedResult {
  readonly seed: number;
  readonly violations: readonly Violation[];
  readonly faults: readonly string[];
  readonly healAtMs: number;
  readonly boundMs: number;
  /** When, after the heal, a single primary held the lease; undefined if never. */
  readonly primaryAtMs: number | undefined;
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

/** Run one seed: start three agents, inject the seed's faults, heal, and check the history. */
export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedResult> {
  const config = options.config ?? DEFAULT_SIM_CONFIG;
  const world = new SimWorld(config, seed, { ...(options.decide ? { decide: options.decide } : {}), ...(options.trace ? { trace: true } : {}) });
  const faults = planFaults(world.prng.fork(2), config);
  const healAtMs = Math.max(config.faultsFromMs, ...faults.map((f) => f.atMs + f.durationMs));
  const { boundMs } = livenessBound(config);
  const endMs = healAtMs + boundMs + 2 * config.timing.probeIntervalMs;
  for (const name of config.nodes) world.startAgent(name);
  for (const f of faults) {
    void world.clock.sleep(f.atMs).then(() => {
      world.record({ kind: 'fault', description: describeFault(f) });
      const heal = startFault(world, f);
      return world.clock.sleep(f.durationMs).then(() => {
        heal();
        world.record({ kind: 'heal', description: describeFault(f) });
      });
    });
  }
  every(world, config.writeIntervalMs, endMs, () => world.allHosts().forEach((h) => h.process.status === 'running' && world.attemptWrite(h)));
  every(world, config.sampleIntervalMs, endMs, async () => {
    const lease = await world.store.readLease();
    world.record({ kind: 'sample', leaseHolder: lease?.holder, leaseEpoch: lease?.epoch });
  });
  await runUntil(world, endMs);
  const history = world.history.entries;
  const violations = [...checkSafety(history, { gatewayWindowMs: gatewayFreshMs(config.timing) + config.timing.probeIntervalMs })];
  const live = checkLiveness(history, healAtMs, boundMs);
  if (live.violation) violations.push(live.violation);
  let fingerprint = 2166136261;
  for (const e of history) fingerprint = fnv1a(JSON.stringify(e), fingerprint);
  return {
    seed,
    violations,
    faults: faults.map(describeFault),
    healAtMs,
    boundMs,
    primaryAtMs: live.primaryAtMs,
    endMs,
    promotions: history.filter((e) => e.kind === 'promote').length,
    historyLength: history.length,
    fingerprint: fingerprint.toString(16),
    ...(world.trace ? { trace: world.trace } : {}),
  };
}
