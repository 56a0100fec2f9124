import type { Clock } from '@tandem/core';
import { classifyAnswered, classifyError } from './classify-write.js';
import { PgSession, type PgTarget } from './pg-session.js';
import { INSERT_WRITE_SQL, WRITES_TABLE_SQL, type WriteAttempt } from './workload-records.js';

export interface WriteLoopOptions {
  readonly target: PgTarget;
  readonly writer: string;
  readonly intervalMs: number;
  readonly attemptTimeoutMs: number;
  readonly backoffMs: number;
  readonly clock: Clock;
  readonly record: (attempt: WriteAttempt) => Promise<void>;
  /** Aborted on SIGTERM/SIGINT or when the duration is over: the loop ends after the attempt in flight. */
  readonly signal: AbortSignal;
}

/** Sleep that ends early (without throwing) when the signal aborts. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  await clock.sleep(ms, signal).catch(() => undefined);
}

/**
 * One attempt with a fresh seq: connect if needed (a failure there means the
 * INSERT was never sent: failed), then the INSERT under the client deadline.
 */
export async function attemptWrite(session: PgSession, options: WriteLoopOptions, seq: number): Promise<WriteAttempt> {
  const { clock, writer } = options;
  const startMs = clock.wallMs();
  const started = clock.monotonicMs();
  const base = { kind: 'write' as const, writer, seq, startMs };
  try {
    await session.ensureConnected(options.attemptTimeoutMs);
    const left = Math.max(1, options.attemptTimeoutMs - (clock.monotonicMs() - started));
    const { rows, warnings } = await session.query<{ host: string }>(INSERT_WRITE_SQL, [writer, seq], left);
    const verdict = classifyAnswered(warnings);
    return { ...base, endMs: clock.wallMs(), outcome: verdict.outcome, host: rows[0]?.host, ...(verdict.error ? { error: verdict.error } : {}) };
  } catch (error) {
    const verdict = classifyError(error);
    return { ...base, endMs: clock.wallMs(), outcome: verdict.outcome, error: verdict.error };
  }
}

/**
 * Write seq 1, 2, 3 ... one at a time, each only after the previous settled;
 * a seq is never retried. Never exits on database errors: after a failed or
 * uncertain attempt it drops the connection, waits backoffMs and goes on.
 */
export async function runWriteLoop(options: WriteLoopOptions): Promise<number> {
  const session = new PgSession(options.target, options.clock, (client) => client.query(WRITES_TABLE_SQL));
  let seq = 0;
  try {
    while (!options.signal.aborted) {
      seq += 1;
      const started = options.clock.monotonicMs();
      const attempt = await attemptWrite(session, options, seq);
      await options.record(attempt);
      if (attempt.outcome !== 'acked') session.discard();
      const waitMs = attempt.outcome === 'acked' ? options.intervalMs - (options.clock.monotonicMs() - started) : options.backoffMs;
      if (waitMs > 0) await pause(options.clock, waitMs, options.signal);
    }
  } finally {
    session.discard();
  }
  return seq;
}
