import type { Percentiles } from '../checkers/percentiles.js';
import type { SplitBrainWindow } from '../checkers/split-brain.js';
import type { WriteVerdict } from '../checkers/verify-writes.js';
import type { LoadVerdict } from './background-load.js';

/** One failover trial as the runner saw it. All times are wall-clock ms. */
export interface FailoverTrial {
  readonly index: number;
  /** When the trial began (the cluster was ready); its window for loss attribution starts here. */
  readonly startMs: number;
  readonly oldPrimary: string;
  /** The moment the power cut began (the BMC hook's own timestamp when it has one). */
  readonly faultMs: number;
  /** The first acked write that started after the fault on another host, if one came in time. */
  readonly restoredAtMs?: number;
  readonly restoreMs?: number;
  readonly restoredBy?: string;
  /** Who the system said was primary once service was back. */
  readonly newPrimary?: string;
  /** The old primary was back (repaired) and the cluster ready again. */
  readonly readyAgainMs?: number;
  /** What went wrong, if the trial could not finish; the run stops after such a trial. */
  readonly error?: string;
}

/** A trial with the acknowledged writes it lost. */
export interface TrialResult extends FailoverTrial {
  readonly lostSeqs: number[];
}

export interface TrialsSummary {
  readonly trials: number;
  readonly restored: number;
  readonly unrestored: number;
  readonly restoreMs: Percentiles | undefined;
  readonly lostAcked: number;
  /** Lost acked writes acked outside every trial's window (before the first trial). */
  readonly lostOutsideTrials: number;
  readonly trialsWithLoss: number;
  readonly splitBrainWindows: number;
  readonly acked: number;
  readonly uncertain: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
}

export interface FailoverTrialsReport {
  readonly summary: TrialsSummary;
  readonly trials: TrialResult[];
  readonly verify: WriteVerdict;
  readonly splitBrain: SplitBrainWindow[];
  /** pgbench's commits against what the database kept, when the run had background load. */
  readonly load?: LoadVerdict;
}
