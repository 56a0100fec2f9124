import type { Clock } from '@tandem/core';
import { PgSession, SessionError, type PgTarget } from './pg-session.js';
import { pause } from './write-loop.js';
import { INSERT_PROBE_SQL, PROBE_TABLE_SQL, type ProbeRecord } from './workload-records.js';

export interface ProbeLoopOptions {
  /** The host's name in the output (as given in --hosts). */
  readonly name: string;
  /** The host's OWN address, not the service address. */
  readonly target: PgTarget;
  readonly pollMs: number;
  readonly probeTimeoutMs: number;
  readonly clock: Clock;
  readonly record: (probe: ProbeRecord) => Promise<void>;
  readonly signal: AbortSignal;
}

/** Does this host accept a write right now? A replica's read-only error, a refused connect or a deadline all say no. */
export async function probeOnce(session: PgSession, options: ProbeLoopOptions): Promise<ProbeRecord> {
  const { clock } = options;
  const startMs = clock.wallMs();
  const started = clock.monotonicMs();
  try {
    await session.ensureConnected(options.probeTimeoutMs);
    const left = Math.max(1, options.probeTimeoutMs - (clock.monotonicMs() - started));
    await session.query(INSERT_PROBE_SQL, [], left);
    return { kind: 'probe', host: options.name, startMs, endMs: clock.wallMs(), writable: true };
  } catch (error) {
    // Keep the connection after an ordinary SQL error (a replica stays a replica); drop it after anything else.
    if (!(error instanceof SessionError) || error.sqlState === undefined) session.discard();
    return { kind: 'probe', host: options.name, startMs, endMs: clock.wallMs(), writable: false, error: (error as Error).message };
  }
}

/** Probe one host every pollMs until the signal aborts, reusing its connection. */
export async function runProbeLoop(options: ProbeLoopOptions): Promise<void> {
  const session = new PgSession(options.target, options.clock, (client) => client.query(PROBE_TABLE_SQL));
  try {
    while (!options.signal.aborted) {
      const started = options.clock.monotonicMs();
      await options.record(await probeOnce(session, options));
      const waitMs = options.pollMs - (options.clock.monotonicMs() - started);
      if (waitMs > 0) await pause(options.clock, waitMs, options.signal);
    }
  } finally {
    session.discard();
  }
}
