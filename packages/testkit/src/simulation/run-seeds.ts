import type { Invariant } from './checkers.js';
import { runSeed, type SeedOptions, type SeedResult } from './run-seed.js';

export interface BatchSummary {
  readonly seedsRun: number;
  readonly failures: readonly { readonly seed: number; readonly violations: SeedResult['violations']; readonly faults: readonly string[] }[];
  readonly byInvariant: Partial<Record<Invariant, number>>;
  readonly promotions: number;
  /** Sum and max of (first primary after heal - heal), over seeds that had one. */
  readonly recoverySumMs: number;
  readonly recoveryMaxMs: number;
  readonly recovered: number;
  /** Seeds where, after the heal, no node held every acknowledged write (no primary owed). */
  readonly unrestorable: number;
  /** Fence events after the heal, over all seeds. */
  readonly fencesAfterHeal: number;
}

export function emptySummary(): BatchSummary {
  return { seedsRun: 0, failures: [], byInvariant: {}, promotions: 0, recoverySumMs: 0, recoveryMaxMs: 0, recovered: 0, unrestorable: 0, fencesAfterHeal: 0 };
}

export function addResult(s: BatchSummary, r: SeedResult): BatchSummary {
  const byInvariant = { ...s.byInvariant };
  for (const v of r.violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
  const recovery = r.primaryAtMs === undefined ? undefined : r.primaryAtMs - r.healAtMs;
  return {
    seedsRun: s.seedsRun + 1,
    failures: r.violations.length > 0 ? [...s.failures, { seed: r.seed, violations: r.violations, faults: r.faults }] : s.failures,
    byInvariant,
    promotions: s.promotions + r.promotions,
    recoverySumMs: s.recoverySumMs + (recovery ?? 0),
    recoveryMaxMs: Math.max(s.recoveryMaxMs, recovery ?? 0),
    recovered: s.recovered + (recovery === undefined ? 0 : 1),
    unrestorable: s.unrestorable + (r.unrestorable ? 1 : 0),
    fencesAfterHeal: s.fencesAfterHeal + r.fencesAfterHeal,
  };
}

export function mergeSummaries(a: BatchSummary, b: BatchSummary): BatchSummary {
  const byInvariant = { ...a.byInvariant };
  for (const [k, v] of Object.entries(b.byInvariant)) byInvariant[k as Invariant] = (byInvariant[k as Invariant] ?? 0) + v;
  return {
    seedsRun: a.seedsRun + b.seedsRun,
    failures: [...a.failures, ...b.failures].sort((x, y) => x.seed - y.seed),
    byInvariant,
    promotions: a.promotions + b.promotions,
    recoverySumMs: a.recoverySumMs + b.recoverySumMs,
    recoveryMaxMs: Math.max(a.recoveryMaxMs, b.recoveryMaxMs),
    recovered: a.recovered + b.recovered,
    unrestorable: a.unrestorable + b.unrestorable,
    fencesAfterHeal: a.fencesAfterHeal + b.fencesAfterHeal,
  };
}

/**
 * Run `seeds` one after another. `keepGoing` is asked before each seed, so
 * a caller can stop at a wall-time budget; it never influences a seed.
 */
export async function runSeeds(seeds: readonly number[], options: SeedOptions = {}, keepGoing: () => boolean = () => true): Promise<BatchSummary> {
  let summary = emptySummary();
  for (const seed of seeds) {
    if (!keepGoing()) break;
    summary = addResult(summary, await runSeed(seed, options));
  }
  return summary;
}
