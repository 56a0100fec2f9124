import { callWithDeadline } from '../call.js';
import type { HealthProbe, ProbeData } from '../contracts/health-probe.js';
import type { NodeInfo } from '../contracts/node-info.js';
import type { Outcome, OutcomeCode } from '../contracts/outcome.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import { tallyOne, tallyProbes } from './probe-tally.js';
import type { ProbeView } from './snapshot.js';

/**
 * Checks of one probe that may run at once. A probe against a dead host
 * takes its whole timeout, often longer than the interval; overlapping a few
 * keeps one answer arriving per interval without letting a hung plugin pile
 * up calls (every queue has a bound).
 */
export const MAX_CHECKS_IN_FLIGHT = 4;

interface Lane {
  inFlight: number;
  lastStartMs: number;
  /** Results are tallied in the order their checks started, so "consecutive" means consecutive. */
  chain: Promise<void>;
}

/** Told of every answer that was tallied (answers about a previous target are dropped before this). */
export type ProbeAnswerListener = (probe: string, target: string, answer: Outcome<ProbeData>) => void;

/**
 * Runs each probe on its own cadence, at most once per interval, without
 * the agent's cycle ever waiting for one. The cycle reads `view`, the tally
 * of the answers in so far. The answer that brings a probe's failures to
 * `confirmFailures` calls `onConfirmed`, so a confirmed failure is acted on
 * at once rather than at the next tick (once per episode, not per answer).
 */
export class ProbeScheduler {
  private current: ProbeView | undefined;
  private generation = 0;
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly clock: Clock,
    private readonly probes: readonly Composed<HealthProbe>[],
    private readonly intervalMs: number,
    private readonly confirmFailures: number,
    private readonly onConfirmed: () => void,
    /** Sees each tallied answer whole (reason, data), which the tally itself does not keep: the loop's degraded-probe events. */
    private readonly onAnswer: ProbeAnswerListener = () => undefined,
  ) {}

  get view(): ProbeView | undefined {
    return this.current;
  }

  /** Called every cycle with the node to probe; undefined stops probing (this node leads, or no one does). */
  tick(target: NodeInfo | undefined): void {
    if (target === undefined || this.probes.length === 0) {
      if (this.current !== undefined) this.generation += 1;
      this.current = undefined;
      return;
    }
    if (this.current?.target !== target.name) {
      // A new target starts from zero; answers about the old one still in flight are dropped.
      this.generation += 1;
      this.current = tallyProbes(undefined, target.name, this.probes.map((p) => ({ id: p.id, code: 'unknown' as OutcomeCode })));
    }
    const now = this.clock.monotonicMs();
    for (const p of this.probes) this.maybeStart(p, target, now);
  }

  private maybeStart(p: Composed<HealthProbe>, target: NodeInfo, now: number): void {
    const lane = this.lanes.get(p.id) ?? { inFlight: 0, lastStartMs: Number.NEGATIVE_INFINITY, chain: Promise.resolve() };
    this.lanes.set(p.id, lane);
    if (lane.inFlight >= MAX_CHECKS_IN_FLIGHT || now - lane.lastStartMs < this.intervalMs) return;
    lane.inFlight += 1;
    lane.lastStartMs = now;
    const generation = this.generation;
    const answer = callWithDeadline<ProbeData>(this.clock, p.timeoutMs ?? p.impl.defaultTimeoutMs, `probe ${p.id}`, (ctx) => p.impl.check(target, ctx));
    lane.chain = lane.chain.then(async () => {
      const o = await answer;
      lane.inFlight -= 1;
      if (generation !== this.generation || this.current === undefined) return;
      this.current = tallyOne(this.current, p.id, o.code);
      if (o.code === 'failed' && this.current.tallies.find((t) => t.id === p.id)?.consecutiveFailures === this.confirmFailures) this.onConfirmed();
      this.onAnswer(p.id, target.name, o);
    });
  }
}
