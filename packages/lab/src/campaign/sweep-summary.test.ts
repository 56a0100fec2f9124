import { describe, expect, it } from 'vitest';
import type { CampaignReport, StepOutcome } from './campaign-report.js';
import { replayCommand, seedFailed, seedLine, summarizeSweep, type SeedResult } from './sweep-summary.js';

const stepWith = (index: number, restoreMs: number | undefined, skipped?: string): StepOutcome => ({
  index,
  description: `step ${index}`,
  startMs: 0,
  healedMs: 0,
  realFailure: true,
  restoreMs,
  failovers: 0,
  ...(skipped ? { skipped } : {}),
});

function report(seed: number, o: { lost?: number; split?: number; stuck?: number; unrestorable?: number; falseFailovers?: number; restores?: (number | undefined)[] } = {}): CampaignReport {
  const stuck = o.stuck ?? 0;
  const lost = o.lost ?? 0;
  const split = o.split ?? 0;
  return {
    seed,
    faults: 3,
    config: 'c.yaml (agents)',
    durationMs: 1000,
    steps: (o.restores ?? []).map((r, i) => stepWith(i, r)),
    failovers: { count: 0, list: [] },
    falseFailovers: { count: o.falseFailovers ?? 0, list: [] },
    restore: { outages: 0, unrestored: 0, ms: undefined },
    writes: { attempts: 10, acked: 10, uncertain: 0, failed: 0, lostAcked: lost, lostSeqs: [], duplicated: 0, outOfOrder: 0 },
    splitBrain: { windows: split, list: [] },
    outages: { stuck, unrestorable: o.unrestorable ?? 0, list: [] },
    ok: lost === 0 && split === 0 && stuck === 0,
  };
}

describe('summarizeSweep', () => {
  it('adds up every seed and takes restore percentiles over all their outages', () => {
    const results: SeedResult[] = [
      { seed: 11, report: report(11, { restores: [0, 1000, 3000], unrestorable: 1, falseFailovers: 1 }) },
      { seed: 22, report: report(22, { restores: [2000, undefined], stuck: 1 }) },
      { seed: 33, report: report(33, { lost: 2, split: 1 }) },
    ];
    const summary = summarizeSweep('c.yaml', 3, results);
    expect(summary).toMatchObject({ sweep: 3, seeds: [11, 22, 33], failedSeeds: [22, 33], errors: 0, lostAckedWrites: 2, splitBrainWindows: 1, stuckOutages: 1, unrestorableOutages: 1, falseFailovers: 1, ok: false });
    expect(summary.restoreMs).toEqual({ count: 3, p50: 2000, p99: 3000, max: 3000 });
  });

  it('is ok with unrestorable outages only, and fails a seed that did not run', () => {
    expect(summarizeSweep('c', 3, [{ seed: 1, report: report(1, { unrestorable: 2 }) }]).ok).toBe(true);
    const broken = summarizeSweep('c', 3, [{ seed: 1, report: report(1) }, { seed: 2, error: 'the verifier exited with 2' }]);
    expect(broken).toMatchObject({ ok: false, errors: 1, failedSeeds: [2], restoreMs: undefined });
  });
});

describe('seedLine', () => {
  it('gives the verdict, the totals and the replay command', () => {
    const r: SeedResult = { seed: 7, report: { ...report(7, { stuck: 1, restores: [500] }), steps: [stepWith(0, 500), stepWith(1, 0, 'no replica server is up')] } };
    expect(seedFailed(r)).toBe(true);
    expect(seedLine(r, 'npm run campaign -- --seed 7')).toBe(
      'seed 7: FAILED (lost 0, split-brain 0, stuck 1, unrestorable 0, false failovers 0, failovers 0, skipped 1/2, restore p50 500 ms p99 500 ms); replay: npm run campaign -- --seed 7',
    );
    expect(seedLine({ seed: 8, error: 'boom' }, 'x')).toBe('seed 8: ERROR boom; replay: x');
  });
});

describe('replayCommand', () => {
  it('keeps the sweep\'s arguments, drops --sweep, adds --seed', () => {
    expect(replayCommand(['--config', 'a.yaml', '--sweep', '30', '--faults', '6'], 42)).toBe('npm run campaign -- --config a.yaml --faults 6 --seed 42');
    expect(replayCommand(['--sweep=3', '--kinds', 'isolate'], 5)).toBe('npm run campaign -- --kinds isolate --seed 5');
  });
});
