import { decide, type Decision, type Snapshot } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { checkSafety } from './checkers.js';
import type { Timed } from './history.js';
import { Prng } from './prng.js';
import { runSeed } from './run-seed.js';
import { runSeeds } from './run-seeds.js';

/** A planted bug: decide forgets to name anyone to fence when it stands for election. */
function decideWithoutFencing(snapshot: Snapshot, nowMs: number): Decision {
  const d = decide(snapshot, nowMs);
  return { ...d, actions: d.actions.map((a) => (a.kind === 'acquire-lease' ? { ...a, fenceTargets: [] } : a)) };
}

describe('deterministic simulation', () => {
  it('500 seeds: every invariant holds and failovers happen', async () => {
    const seeds = Array.from({ length: 500 }, (_, i) => i + 1);
    const s = await runSeeds(seeds);
    expect(s.seedsRun).toBe(500);
    expect(s.failures.map((f) => `seed ${f.seed}: ${f.violations.map((v) => v.message).join('; ')} (npm run sim -- --seed ${f.seed})`)).toEqual([]);
    // Bootstrap alone is 500 promotions; more means the faults forced real failovers.
    expect(s.promotions).toBeGreaterThan(700);
    expect(s.recovered).toBe(500);
  }, 180_000);

  it('a seed replays exactly: same history fingerprint and same timeline', async () => {
    const a = await runSeed(4242, { trace: true });
    const b = await runSeed(4242, { trace: true });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.trace).toEqual(b.trace);
    expect(a.trace?.length).toBeGreaterThan(10);
    const other = await runSeed(4243);
    expect(other.fingerprint).not.toBe(a.fingerprint);
  }, 30_000);

  it('the checkers catch a decide that skips fencing', async () => {
    let caught: { seed: number; invariants: string[] } | undefined;
    for (let seed = 1; seed <= 300 && caught === undefined; seed++) {
      const r = await runSeed(seed, { decide: decideWithoutFencing });
      if (r.violations.length > 0) caught = { seed, invariants: r.violations.map((v) => v.invariant) };
    }
    expect(caught).toBeDefined();
    expect(caught?.invariants).toContain('promote-without-fence');
    // The same seed with the real decide is clean.
    expect((await runSeed(caught?.seed ?? 0)).violations).toEqual([]);
  }, 120_000);
});

describe('checkers on hand-written histories', () => {
  const at = (atMs: number, e: Omit<Timed, 'atMs'> & { kind: Timed['kind'] }): Timed => ({ ...e, atMs }) as Timed;
  const rules = { gatewayWindowMs: 3000 };

  it('two unfenced writers are a split brain', () => {
    const h = [
      at(0, { kind: 'gateway-reply', node: 'db1' }),
      at(1, { kind: 'lease-grant', node: 'db1', epoch: 1 }),
      at(2, { kind: 'promote', node: 'db1', epoch: 1 }),
      at(3, { kind: 'gateway-reply', node: 'db2' }),
      at(4, { kind: 'lease-grant', node: 'db2', epoch: 2 }),
      at(5, { kind: 'promote', node: 'db2', epoch: 2 }),
    ];
    expect(checkSafety(h, rules).map((v) => v.invariant)).toEqual(['promote-without-fence', 'single-writer']);
  });

  it('a fence at the new epoch makes the same takeover clean; a write below it is caught', () => {
    const h = [
      at(0, { kind: 'gateway-reply', node: 'db1' }),
      at(2, { kind: 'promote', node: 'db1', epoch: 1 }),
      at(3, { kind: 'gateway-reply', node: 'db2' }),
      at(4, { kind: 'fence', by: 'db2', target: 'db1', epoch: 2 }),
      at(5, { kind: 'promote', node: 'db2', epoch: 2 }),
      at(6, { kind: 'write', node: 'db2', epoch: 2, accepted: true }),
    ];
    expect(checkSafety(h, rules)).toEqual([]);
    expect(checkSafety([...h, at(7, { kind: 'write', node: 'db1', epoch: 1, accepted: true })], rules).map((v) => v.invariant)).toEqual(['stale-write']);
  });

  it('a promotion without a recent gateway reply is caught', () => {
    const h = [at(0, { kind: 'gateway-reply', node: 'db1' }), at(10_000, { kind: 'promote', node: 'db1', epoch: 1 })];
    expect(checkSafety(h, rules).map((v) => v.invariant)).toEqual(['promote-without-gateway']);
  });
});

describe('Prng', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const p = new Prng(seed);
      return Array.from({ length: 5 }, () => p.int(0, 1000));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});
