import { ok, outcome, type CallContext, type Clock, type Outcome, type RecoveryInput, type RecoveryPlan, type RecoveryReport, type RecoveryStrategy, type StreamPosition } from '@tandem/core';
import { deadlineOf, type Deadline } from '@tandem/plugin-resource-postgres';
import { mirrorInFlight, positionOf, type LocalServer, type WalTools } from '@tandem/plugin-transport-wal-mirror';
import { compensationPlan } from './compensation-plan.js';
import type { CompensateOptions } from './options.js';
import { compensationStatements, RESUME_REPLAY_SQL } from './restore-command.js';

/** lostBytes when the mirror cannot say how much was lost. */
export const UNKNOWN_LOSS = -1;

/**
 * Compensate-and-promote, before promotion: replay into the local standby
 * the WAL the synchronous mirror holds beyond its replay position, so that
 * every acknowledged commit is in the database that is about to be
 * promoted. Nothing is fetched from the failed primary.
 */
export class CompensateStrategy implements RecoveryStrategy {
  readonly defaultTimeoutMs = 120_000;
  /** The last finished report per epoch: a re-run at the same epoch answers the same (the contract's idempotency). */
  private done: { readonly epoch: number; readonly report: RecoveryReport } | undefined;

  constructor(
    readonly options: CompensateOptions,
    private readonly tools: WalTools,
    private readonly clock: Clock,
  ) {}

  get localServer(): LocalServer {
    const pw = this.options.standbyPassword;
    return { ...this.options.standby, password: pw === undefined ? undefined : () => pw.reveal() };
  }

  async plan(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryPlan>> {
    if (ctx.signal.aborted) return outcome('timeout', 'plan: the caller gave up');
    return ok('compensation planned', compensationPlan(input, this.options.mirrorDir));
  }

  async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    if (ctx.signal.aborted) return outcome('timeout', 'execute: the caller gave up before it started');
    if (this.done?.epoch === input.epoch) return ok(this.done.report.summary, this.done.report);
    const d = deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
    const flight = await mirrorInFlight(this.options.mirrorDir, this.tools, this.localServer, d);
    if (ctx.signal.aborted) return outcome('timeout', 'execute: the caller gave up while reading the mirror');
    let result: Outcome<RecoveryReport>;
    if (flight.code !== 'ok' || flight.data === undefined) {
      result = input.acceptDataLoss
        ? ok(`data loss accepted: ${flight.reason}`, { compensated: 0, lostBytes: UNKNOWN_LOSS, summary: `no compensation for ${input.candidate.name}: ${flight.reason}; loss accepted by the operator, amount unknown` })
        : outcome('failed', `refusing a zero-loss promotion: ${flight.reason} (an operator may force it with failover --accept-data-loss)`);
    } else if (flight.data.from.offset >= flight.data.to.offset) {
      // Resuming costs nothing and a paused replay would hold the promotion back.
      const resumed = await this.tools.queryLocal(this.localServer, RESUME_REPLAY_SQL, d, false);
      result = resumed.ok ? ok('replay already at the mirror end', report(flight.data.to, flight.data.to, `${input.candidate.name} had replayed to the mirror end ${flight.data.to.label}: nothing to compensate`)) : outcome(resumed.outcome.code === 'timeout' ? 'timeout' : 'failed', `cannot resume replay: ${resumed.outcome.reason}`);
    } else {
      result = await this.feedAndWait(input, flight.data.from, flight.data.to, d);
    }
    if (result.code === 'ok' && result.data !== undefined) this.done = { epoch: input.epoch, report: result.data };
    return result;
  }

  private async feedAndWait(input: RecoveryInput, from: StreamPosition, to: StreamPosition, d: Deadline): Promise<Outcome<RecoveryReport>> {
    const set = await this.tools.queryLocal(this.localServer, [...compensationStatements(this.options.mirrorDir, this.options.retryIntervalMs), RESUME_REPLAY_SQL], d, false);
    if (!set.ok) return outcome(set.outcome.code === 'timeout' ? 'timeout' : 'failed', `cannot point ${input.candidate.name}'s recovery at the mirror: ${set.outcome.reason}`);
    let replayed = from.offset;
    for (;;) {
      const r = await this.tools.replayLsn(this.localServer, d);
      if (r.ok && r.value !== undefined) replayed = r.value;
      if (replayed >= to.offset) break;
      if (d.signal?.aborted === true || d.remainingMs() <= this.options.pollMs) {
        return outcome('timeout', `replay reached ${positionOf(replayed).label}, short of the mirror end ${to.label} (${to.offset - replayed} byte(s) left) when the deadline came`);
      }
      await this.clock.sleep(this.options.pollMs, d.signal).catch(() => undefined);
    }
    return ok(`compensated ${to.offset - from.offset} byte(s)`, report(from, to, `compensated ${input.candidate.name} with ${to.offset - from.offset} byte(s) of WAL from the mirror (${from.label} to ${to.label}); replay verified at ${positionOf(replayed).label}`));
  }
}

function report(from: StreamPosition, to: StreamPosition, summary: string): RecoveryReport {
  return { compensated: to.offset - from.offset, from, to, lostBytes: 0, summary };
}
