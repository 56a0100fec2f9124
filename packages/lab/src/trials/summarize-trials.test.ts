import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../checkers/verify-report.js';
import type { WriteAttempt } from '../checkers/workload-records.js';
import { attributeLoss, buildTrialsReport } from './summarize-trials.js';
import type { FailoverTrial } from './trial-records.js';

const acked = (seq: number, endMs: number, host = 's1'): WriteAttempt => ({ kind: 'write', writer: 'w1', seq, startMs: endMs - 5, endMs, outcome: 'acked', host });

function verifyReport(lost: number[], over: Partial<VerifyReport['verify']> = {}, windows = 0): VerifyReport {
  return {
    verify: { attempts: 10, acked: 8, uncertain: 1, failed: 1, stored: 8, lost, duplicated: [], outOfOrder: 0, unexpected: [], failedButStored: [], uncertainStored: 0, ...over },
    splitBrain: { windows: Array.from({ length: windows }, (_, i) => ({ startMs: i, endMs: i + 1, hosts: ['s1', 's2'], evidence: ['client-answers' as const] })), mergeGapMs: 500 },
    outages: { gaps: [], durationMs: undefined },
    log: { tornLastLine: false, badLines: [], probes: 0 },
  };
}

const trial = (index: number, startMs: number, restoreMs?: number): FailoverTrial => ({ index, startMs, oldPrimary: 's1', faultMs: startMs + 100, ...(restoreMs !== undefined ? { restoreMs, restoredAtMs: startMs + 100 + restoreMs } : {}) });

describe('attributeLoss', () => {
  it('gives each lost seq to the trial whose window it was acked in', () => {
    const attempts = [acked(1, 50), acked(2, 1050), acked(3, 1990), acked(4, 2000), acked(5, 9000)];
    const result = attributeLoss([{ startMs: 1000 }, { startMs: 2000 }], attempts, [1, 2, 3, 4, 5]);
    expect(result.perTrial).toEqual([[2, 3], [4, 5]]);
    expect(result.outside).toEqual([1]);
  });

  it('puts a lost seq with no acked attempt outside every trial', () => {
    expect(attributeLoss([{ startMs: 0 }], [], [7]).outside).toEqual([7]);
  });
});

describe('buildTrialsReport', () => {
  it('summarises restore times of restored trials, loss and split brain', () => {
    const trials = [trial(0, 1000, 4000), trial(1, 10_000), trial(2, 20_000, 3000)];
    const attempts = [acked(1, 1050), acked(2, 1060), acked(3, 20_050)];
    const report = buildTrialsReport(trials, attempts, verifyReport([1, 2, 3], { duplicated: [9] }, 2));
    expect(report.trials.map((t) => t.lostSeqs)).toEqual([[1, 2], [], [3]]);
    expect(report.summary).toMatchObject({ trials: 3, restored: 2, unrestored: 1, lostAcked: 3, lostOutsideTrials: 0, trialsWithLoss: 2, splitBrainWindows: 2, duplicated: 1 });
    expect(report.summary.restoreMs).toEqual({ count: 2, p50: 3000, p99: 4000, max: 4000 });
  });

  it('has no restore percentiles when nothing was restored', () => {
    const report = buildTrialsReport([trial(0, 0)], [], verifyReport([]));
    expect(report.summary.restoreMs).toBeUndefined();
    expect(report.summary.trialsWithLoss).toBe(0);
  });
});
