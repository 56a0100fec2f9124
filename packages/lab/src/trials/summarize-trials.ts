import { percentiles } from '../checkers/percentiles.js';
import type { VerifyReport } from '../checkers/verify-report.js';
import type { WriteAttempt } from '../checkers/workload-records.js';
import type { FailoverTrial, FailoverTrialsReport, TrialResult, TrialsSummary } from './trial-records.js';

export interface LossAttribution {
  /** Lost seqs per trial, in trial order. */
  readonly perTrial: number[][];
  /** Lost seqs acked before the first trial began (or whose attempt is unknown). */
  readonly outside: number[];
}

/**
 * Give each lost acknowledged write to the trial whose window it was acked
 * in. A trial's window runs from its start to the next trial's start (the
 * last one's to the end of the run): a write lost to a failover was acked by
 * the old primary between the trial's start and its fault.
 */
export function attributeLoss(trials: readonly Pick<FailoverTrial, 'startMs'>[], attempts: readonly WriteAttempt[], lostSeqs: readonly number[]): LossAttribution {
  const ackedAt = new Map<number, number>();
  for (const a of attempts) if (a.outcome === 'acked') ackedAt.set(a.seq, a.endMs);
  const perTrial: number[][] = trials.map(() => []);
  const outside: number[] = [];
  for (const seq of lostSeqs) {
    const atMs = ackedAt.get(seq);
    let owner = -1;
    if (atMs !== undefined) {
      for (let i = 0; i < trials.length; i += 1) if ((trials[i]?.startMs ?? Infinity) <= atMs) owner = i;
    }
    if (owner >= 0) perTrial[owner]?.push(seq);
    else outside.push(seq);
  }
  return { perTrial, outside };
}

/** The counts a benchmark table shows. */
export function summarizeTrials(trials: readonly TrialResult[], verify: VerifyReport, outside: readonly number[]): TrialsSummary {
  const restored = trials.filter((t) => t.restoreMs !== undefined);
  return {
    trials: trials.length,
    restored: restored.length,
    unrestored: trials.length - restored.length,
    restoreMs: percentiles(restored.map((t) => t.restoreMs as number)),
    lostAcked: verify.verify.lost.length,
    lostOutsideTrials: outside.length,
    trialsWithLoss: trials.filter((t) => t.lostSeqs.length > 0).length,
    splitBrainWindows: verify.splitBrain.windows.length,
    acked: verify.verify.acked,
    uncertain: verify.verify.uncertain,
    duplicated: verify.verify.duplicated.length,
    outOfOrder: verify.verify.outOfOrder,
  };
}

/** Put the verifier's verdict and the trials together. */
export function buildTrialsReport(trials: readonly FailoverTrial[], attempts: readonly WriteAttempt[], verify: VerifyReport): FailoverTrialsReport {
  const { perTrial, outside } = attributeLoss(trials, attempts, verify.verify.lost);
  const results: TrialResult[] = trials.map((t, i) => ({ ...t, lostSeqs: perTrial[i] ?? [] }));
  return { summary: summarizeTrials(results, verify, outside), trials: results, verify: verify.verify, splitBrain: verify.splitBrain.windows };
}
