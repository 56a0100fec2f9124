import { percentiles, type Percentiles } from '../checkers/percentiles.js';
import type { VerifyReport } from '../checkers/verify-report.js';
import type { WriteAttempt } from '../checkers/workload-records.js';
import type { PlannedStep } from './campaign-plan.js';
import type { OutageVerdict } from './outage-verdict.js';

/** A step as it ran: its target resolved, its times recorded. */
export interface ExecutedStep extends PlannedStep {
  /** The server hit (undefined for gateway/store faults). */
  readonly host?: string;
  readonly description: string;
  readonly realFailure: boolean;
  readonly startMs: number;
  readonly healedMs: number;
  /** Why the step could not run (e.g. no replica left); skipped steps have no effect. */
  readonly skipped?: string;
  /** Service did not come back within the bound after the heal: stuck (a failure) or unrestorable. */
  readonly outage?: OutageVerdict;
}

export interface Failover {
  /** End of the first acked write the new host answered. */
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  /** The step during whose window it happened, if any. */
  readonly step?: number;
}

export interface StepOutcome {
  readonly index: number;
  readonly description: string;
  /** Wall-clock ms: when the fault went in and when it was healed. */
  readonly startMs: number;
  readonly healedMs: number;
  readonly realFailure: boolean;
  readonly skipped?: string;
  /** From the fault to the first acked write after the outage it caused; 0 when writes never stopped; undefined when never restored. */
  readonly restoreMs: number | undefined;
  readonly failovers: number;
  readonly outage?: OutageVerdict;
}

export interface CampaignReport {
  readonly seed: number;
  readonly faults: number;
  readonly config: string;
  readonly durationMs: number;
  readonly steps: StepOutcome[];
  readonly failovers: { readonly count: number; readonly list: Failover[] };
  /** Failovers during a fault that did not take the primary away, or outside any fault. */
  readonly falseFailovers: { readonly count: number; readonly list: Failover[] };
  readonly restore: { readonly outages: number; readonly unrestored: number; readonly ms: Percentiles | undefined };
  readonly writes: {
    readonly attempts: number;
    readonly acked: number;
    readonly uncertain: number;
    readonly failed: number;
    readonly lostAcked: number;
    readonly lostSeqs: number[];
    readonly duplicated: number;
    readonly outOfOrder: number;
  };
  readonly splitBrain: { readonly windows: number; readonly list: VerifyReport['splitBrain']['windows'] };
  /**
   * Steps after whose heal service did not come back within the bound.
   * Stuck: a node holding every acknowledged write was up (a failure).
   * Unrestorable: none was (reported, not a failure).
   */
  readonly outages: { readonly stuck: number; readonly unrestorable: number; readonly list: { readonly step: number; readonly kind: OutageVerdict['kind']; readonly summary: string }[] };
  /** No acked write lost, none duplicated or reordered, no split brain, no stuck outage. */
  readonly ok: boolean;
}

/** Every change of the host answering acked writes on the service address. */
export function findFailovers(attempts: readonly WriteAttempt[]): Omit<Failover, 'step'>[] {
  const acked = attempts.filter((a) => a.outcome === 'acked' && a.host !== undefined).sort((a, b) => a.endMs - b.endMs);
  const failovers: Omit<Failover, 'step'>[] = [];
  let current: string | undefined;
  for (const a of acked) {
    const host = a.host as string;
    if (current !== undefined && host !== current) failovers.push({ atMs: a.endMs, from: current, to: host });
    current = host;
  }
  return failovers;
}

/** The step whose window (its start up to the next step's start) holds `atMs`. */
function stepAt(steps: readonly ExecutedStep[], atMs: number): ExecutedStep | undefined {
  let found: ExecutedStep | undefined;
  for (const step of steps) if (step.startMs <= atMs) found = step;
  return found;
}

/**
 * Which step an outage belongs to: the last one that started before it. The
 * outage is measured from the end of the last acked write, which may be a
 * little before the fault (a write was in flight), hence the slack.
 */
const IN_FLIGHT_SLACK_MS = 1000;

function ownerOf(steps: readonly ExecutedStep[], gapFromMs: number): ExecutedStep | undefined {
  let owner: ExecutedStep | undefined;
  for (const step of steps) if (step.skipped === undefined && step.startMs <= gapFromMs + IN_FLIGHT_SLACK_MS) owner = step;
  return owner;
}

function restoreOf(step: ExecutedStep, steps: readonly ExecutedStep[], verify: VerifyReport): number | undefined {
  const gap = verify.outages.gaps.find((g) => ownerOf(steps, g.fromMs) === step);
  if (gap === undefined) return 0;
  return gap.restored ? Math.max(0, gap.toMs - step.startMs) : undefined;
}

export interface ReportInput {
  readonly seed: number;
  readonly config: string;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly steps: readonly ExecutedStep[];
  readonly attempts: readonly WriteAttempt[];
  readonly verify: VerifyReport;
}

export function buildCampaignReport(input: ReportInput): CampaignReport {
  const { steps, verify } = input;
  const failovers: Failover[] = findFailovers(input.attempts).map((f) => {
    const step = stepAt(steps, f.atMs);
    return step ? { ...f, step: step.index } : f;
  });
  const falseFailovers = failovers.filter((f) => f.step === undefined || !steps[f.step]?.realFailure);
  const outcomes: StepOutcome[] = steps.map((step) => ({
    index: step.index,
    description: step.description,
    startMs: step.startMs,
    healedMs: step.healedMs,
    realFailure: step.realFailure,
    ...(step.skipped !== undefined ? { skipped: step.skipped } : {}),
    restoreMs: restoreOf(step, steps, verify),
    failovers: failovers.filter((f) => f.step === step.index).length,
    ...(step.outage ? { outage: step.outage } : {}),
  }));
  const outages = steps.flatMap((s) => (s.outage ? [{ step: s.index, kind: s.outage.kind, summary: s.outage.summary }] : []));
  const stuck = outages.filter((o) => o.kind === 'stuck').length;
  const interrupted = outcomes.filter((o) => o.restoreMs !== 0);
  const restored = interrupted.flatMap((o) => (o.restoreMs === undefined ? [] : [o.restoreMs]));
  const v = verify.verify;
  return {
    seed: input.seed,
    faults: steps.length,
    config: input.config,
    durationMs: input.endedMs - input.startedMs,
    steps: outcomes,
    failovers: { count: failovers.length, list: failovers },
    falseFailovers: { count: falseFailovers.length, list: falseFailovers },
    restore: { outages: interrupted.length, unrestored: interrupted.length - restored.length, ms: percentiles(restored) },
    writes: {
      attempts: v.attempts,
      acked: v.acked,
      uncertain: v.uncertain,
      failed: v.failed,
      lostAcked: v.lost.length,
      lostSeqs: v.lost,
      duplicated: v.duplicated.length,
      outOfOrder: v.outOfOrder,
    },
    splitBrain: { windows: verify.splitBrain.windows.length, list: verify.splitBrain.windows },
    outages: { stuck, unrestorable: outages.length - stuck, list: outages },
    ok: v.lost.length === 0 && v.duplicated.length === 0 && v.outOfOrder === 0 && verify.splitBrain.windows.length === 0 && stuck === 0,
  };
}
