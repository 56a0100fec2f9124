import type { CallContext, Outcome } from './outcome.js';
import type { NodeInfo } from './node-info.js';

/** The dimensions the zero-loss design checks; plugins may add their own names. */
export type ProbeDimension = 'network' | 'host-login' | 'db-login' | 'write' | 'gateway' | (string & {});

export interface ProbeData {
  /** How long the check itself took, measured by the plugin. */
  readonly latencyMs: number;
  /**
   * Set by an `ok` check whose target still works but with less redundancy
   * than configured (one of two heartbeat links lost): a short, stable
   * sentence saying what is missing, e.g. `privateB lost, heartbeat on
   * privateA only`. The core never counts it as a failure (the answer is
   * `ok` and resets the failure count); it records `probe.degraded` when a
   * probe's answers about a target become degraded and `probe.restored`
   * when an `ok` answer without it follows. Keep it free of per-check
   * detail (latencies, ping output): that belongs in `reason`. Ignored on
   * any outcome other than `ok`.
   */
  readonly degraded?: string;
}

/**
 * Is one target healthy on one dimension, right now?
 *
 * - `check` is read-only towards the target except where the dimension is
 *   itself a write (`write` probes commit a heartbeat row); it may be called
 *   at any rate and concurrently for different targets.
 * - Outcomes: `ok` healthy (or working with reduced redundancy, said in
 *   `data.degraded`); `failed` unhealthy (the target answered badly or
 *   refused); `timeout` no answer in time, which the core counts as
 *   *unknown*, never as healthy; `config-error` / `not-installed` stop the
 *   probe from counting at all and raise an alert.
 * - The caller enforces `ctx.timeoutMs`; `defaultTimeoutMs` is only the
 *   default the config falls back to. Confirmation (N consecutive failures)
 *   is the core's job, not the probe's: report each check as it is.
 */
export interface HealthProbe {
  readonly dimension: ProbeDimension;
  readonly defaultTimeoutMs: number;
  check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>>;
}

export const HealthProbe: unique symbol = Symbol.for('tandem.HealthProbe');
