import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../checkers/verify-report.js';
import type { WriteAttempt } from '../checkers/workload-records.js';
import { buildCampaignReport, findFailovers, type ExecutedStep } from './campaign-report.js';

const write = (seq: number, atMs: number, host: string | undefined, outcome: WriteAttempt['outcome'] = 'acked'): WriteAttempt => ({
  kind: 'write',
  writer: 'w1',
  seq,
  startMs: atMs - 5,
  endMs: atMs,
  outcome,
  ...(host ? { host } : {}),
});

const step = (index: number, startMs: number, realFailure: boolean): ExecutedStep => ({
  index,
  kind: realFailure ? 'power-off' : 'link-delay',
  target: 'primary',
  holdMs: 1000,
  description: `step ${index}`,
  realFailure,
  startMs,
  healedMs: startMs + 1000,
});

function verifyWith(gaps: VerifyReport['outages']['gaps'], lost: number[] = []): VerifyReport {
  return {
    verify: { attempts: 10, acked: 8, uncertain: 1, failed: 1, stored: 8, lost, duplicated: [], outOfOrder: 0, unexpected: [], failedButStored: [], uncertainStored: 0 },
    splitBrain: { windows: [], mergeGapMs: 500 },
    outages: { gaps, durationMs: undefined },
    log: { tornLastLine: false, badLines: [], probes: 0 },
  };
}

describe('campaign report', () => {
  it('finds each change of the answering host as a failover', () => {
    const attempts = [write(1, 100, 's1'), write(2, 200, undefined, 'failed'), write(3, 300, 's2'), write(4, 400, 's2'), write(5, 500, 's1')];
    expect(findFailovers(attempts)).toEqual([
      { atMs: 300, from: 's1', to: 's2' },
      { atMs: 500, from: 's2', to: 's1' },
    ]);
  });

  it('measures restore from the fault to the first ack after its outage, and flags failovers after faults that were no failure', () => {
    const attempts = [write(1, 900, 's1'), write(2, 3500, 's2'), write(3, 10_500, 's3')];
    const gaps = [{ fromMs: 950, toMs: 3500, durationMs: 2550, restored: true, failedAttempts: 3, uncertainAttempts: 0 }];
    const report = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 20_000, steps: [step(0, 1000, true), step(1, 10_000, false)], attempts, verify: verifyWith(gaps) });
    expect(report.steps.map((s) => s.restoreMs)).toEqual([2500, 0]);
    expect(report.failovers.count).toBe(2);
    expect(report.falseFailovers.list).toEqual([{ atMs: 10_500, from: 's2', to: 's3', step: 1 }]);
    expect(report.restore).toMatchObject({ outages: 1, unrestored: 0, ms: { p50: 2500, max: 2500 } });
    expect(report.ok).toBe(true);
  });

  it('gives an outage to the fault that started just after the last acked write, not to the one before', () => {
    // The last ack ended 30 ms before step 1's fault: the write after it was in flight when the fault hit.
    const gaps = [{ fromMs: 9970, toMs: 14_000, durationMs: 4030, restored: true, failedAttempts: 5, uncertainAttempts: 1 }];
    const report = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 20_000, steps: [step(0, 1000, false), step(1, 10_000, true)], attempts: [], verify: verifyWith(gaps) });
    expect(report.steps.map((s) => s.restoreMs)).toEqual([0, 4000]);
  });

  it('is not ok when an acknowledged write was lost, and counts an unrestored outage', () => {
    const gaps = [{ fromMs: 1100, toMs: 5000, durationMs: 3900, restored: false, failedAttempts: 9, uncertainAttempts: 0 }];
    const report = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 5000, steps: [step(0, 1000, true)], attempts: [], verify: verifyWith(gaps, [7]) });
    expect(report.ok).toBe(false);
    expect(report.writes.lostSeqs).toEqual([7]);
    expect(report.restore).toMatchObject({ outages: 1, unrestored: 1, ms: undefined });
  });

  it('fails on a stuck outage, reports an unrestorable one without failing', () => {
    const holders = [{ node: 's1', holdsAll: true, ackedHeld: undefined, ackedTotal: 8, why: 'it answered the last acknowledged write (w1:8)' }];
    const stuck = { ...step(0, 1000, true), outage: { kind: 'stuck' as const, upHolders: ['s1'], holders, summary: 'stuck: s1 ...' } };
    const unrestorable = { ...step(1, 10_000, true), outage: { kind: 'unrestorable' as const, holders, summary: 'unrestorable: s1 ...' } };
    const both = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 20_000, steps: [stuck, unrestorable], attempts: [], verify: verifyWith([]) });
    expect(both.outages).toEqual({ stuck: 1, unrestorable: 1, list: [{ step: 0, kind: 'stuck', summary: 'stuck: s1 ...' }, { step: 1, kind: 'unrestorable', summary: 'unrestorable: s1 ...' }] });
    expect(both.steps[0]?.outage?.kind).toBe('stuck');
    expect(both.ok).toBe(false);
    const onlyUnrestorable = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 20_000, steps: [step(0, 1000, true), unrestorable], attempts: [], verify: verifyWith([]) });
    expect(onlyUnrestorable.ok).toBe(true);
  });

  it('keeps every planned step, a skipped one with its reason', () => {
    const skipped = { ...step(1, 5000, false), skipped: 'cannot freeze postgres on s2: it is not running' };
    const report = buildCampaignReport({ seed: 1, config: 'test', startedMs: 0, endedMs: 20_000, steps: [step(0, 1000, true), skipped], attempts: [], verify: verifyWith([]) });
    expect(report.steps.map((s) => s.skipped)).toEqual([undefined, 'cannot freeze postgres on s2: it is not running']);
  });
});
