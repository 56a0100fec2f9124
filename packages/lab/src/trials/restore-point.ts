import type { WriteAttempt } from '../checkers/workload-records.js';

export interface RestorePoint {
  readonly atMs: number;
  readonly restoreMs: number;
  readonly host: string;
}

/**
 * Service is restored at the first acknowledged write that started after the
 * fault and was answered by a host other than the failed primary: a write
 * that started before the fault, or one the old primary answered, says
 * nothing about the failover.
 */
export function findRestorePoint(attempts: readonly WriteAttempt[], faultMs: number, oldPrimary: string): RestorePoint | undefined {
  let best: WriteAttempt | undefined;
  for (const a of attempts) {
    if (a.outcome !== 'acked' || a.startMs <= faultMs || a.host === undefined || a.host === oldPrimary) continue;
    if (best === undefined || a.endMs < best.endMs) best = a;
  }
  if (best === undefined) return undefined;
  return { atMs: best.endMs, restoreMs: best.endMs - faultMs, host: best.host as string };
}

/**
 * When the power cut really began: the BMC's chassis hook logs
 * `<ms> set power 0` as it starts cutting. The first such line at or after
 * `sentMs` (when the IPMI command was sent) is the fault; without one, the
 * send time stands in (slightly early, so restore times err long, not short).
 */
export function powerCutMs(hookLog: string, sentMs: number): number {
  for (const line of hookLog.split('\n')) {
    const match = /^(\d{13}) set power 0\b/.exec(line.trim());
    const atMs = Number(match?.[1]);
    if (match && atMs >= sentMs) return atMs;
  }
  return sentMs;
}
