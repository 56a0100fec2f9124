import type { WriteAttempt } from './workload-records.js';

/** A span without acked writes on the service address: from the last ack before trouble to the next ack. */
export interface ServiceGap {
  /** End of the last acked write before the first non-acked attempt (or that attempt's start when none was acked yet). */
  readonly fromMs: number;
  /** End of the next acked write; for an unrestored gap, the end of the last attempt. */
  readonly toMs: number;
  readonly durationMs: number;
  /** False when no write was acked after the gap began (service not restored before the log ends). */
  readonly restored: boolean;
  readonly failedAttempts: number;
  readonly uncertainAttempts: number;
}

/**
 * Outages seen by one writer: every run of non-acked attempts, measured from
 * the previous acked write to the next one ("time to restore service").
 */
export function serviceGaps(attempts: readonly WriteAttempt[]): ServiceGap[] {
  const sorted = [...attempts].sort((a, b) => a.startMs - b.startMs || a.seq - b.seq);
  const gaps: ServiceGap[] = [];
  let lastAckEndMs: number | undefined;
  let open: { fromMs: number; failed: number; uncertain: number; lastEndMs: number } | undefined;
  for (const attempt of sorted) {
    if (attempt.outcome === 'acked') {
      if (open !== undefined) gaps.push(closeGap(open, attempt.endMs, true));
      open = undefined;
      lastAckEndMs = attempt.endMs;
      continue;
    }
    open ??= { fromMs: lastAckEndMs ?? attempt.startMs, failed: 0, uncertain: 0, lastEndMs: attempt.endMs };
    open.lastEndMs = attempt.endMs;
    if (attempt.outcome === 'failed') open.failed += 1;
    else open.uncertain += 1;
  }
  if (open !== undefined) gaps.push(closeGap(open, open.lastEndMs, false));
  return gaps;
}

function closeGap(open: { fromMs: number; failed: number; uncertain: number }, toMs: number, restored: boolean): ServiceGap {
  return { fromMs: open.fromMs, toMs, durationMs: toMs - open.fromMs, restored, failedAttempts: open.failed, uncertainAttempts: open.uncertain };
}
