import { percentiles, type Percentiles } from './percentiles.js';
import type { WorkloadLog } from './read-workload-log.js';
import { serviceGaps, type ServiceGap } from './service-gaps.js';
import { detectSplitBrain, type SplitBrainWindow } from './split-brain.js';
import { verifyWrites, type WriteVerdict } from './verify-writes.js';
import type { StoredRow } from './workload-records.js';

export interface VerifyReport {
  readonly verify: WriteVerdict;
  readonly splitBrain: { readonly windows: SplitBrainWindow[]; readonly mergeGapMs: number };
  readonly outages: { readonly gaps: ServiceGap[]; readonly durationMs: Percentiles | undefined };
  readonly log: { readonly tornLastLine: boolean; readonly badLines: number[]; readonly probes: number };
}

/** Everything the verifier judges from a workload log and the rows the database kept. */
export function buildVerifyReport(log: WorkloadLog, rows: readonly StoredRow[], mergeGapMs: number): VerifyReport {
  const answers = log.attempts.filter((a) => a.outcome === 'acked' && a.host !== undefined).map((a) => ({ atMs: a.endMs, host: a.host as string }));
  const gaps = serviceGaps(log.attempts);
  return {
    verify: verifyWrites(log.attempts, rows),
    splitBrain: { windows: detectSplitBrain({ answers, writable: log.probes, mergeGapMs }), mergeGapMs },
    outages: { gaps, durationMs: percentiles(gaps.map((g) => g.durationMs)) },
    log: { tornLastLine: log.tornLastLine, badLines: log.badLines, probes: log.probes.length },
  };
}
