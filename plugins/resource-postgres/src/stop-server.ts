import { ok, outcome, type Outcome } from '@tandem/core';
import { commandFailure, waitSeconds, type Deadline, type PgTools } from './pg-tools.js';
import { inspectServer } from './server-state.js';

/** An immediate shutdown kills the backends at once; it still needs a bound for a postmaster stuck in the kernel. */
export const IMMEDIATE_STOP_MS = 15_000;

/**
 * Stop the server: the configured mode first, then `immediate` if that did
 * not finish. The immediate stop runs even after the caller's deadline:
 * stopping is how a demoted primary stops accepting writes, so it is not
 * abandoned half way. `ok` only when pg_ctl status says it is stopped.
 */
export async function stopServer(tools: PgTools, d: Deadline): Promise<Outcome> {
  const before = await tools.status(d);
  if (before.kind === 'stopped') return ok(`PostgreSQL ${tools.options.dataDir} already stopped`);
  if (before.kind === 'no-data-dir') {
    const state = await inspectServer(tools, d);
    return state.kind === 'stopped' ? ok(state.why) : outcome('config-error', before.message);
  }
  const { stopMode, stopTimeoutMs } = tools.options;
  const first = await tools.run(tools.stopArgv(stopMode, waitSeconds(stopTimeoutMs, d)), { timeoutMs: Math.min(stopTimeoutMs + 2000, d.remainingMs()), signal: d.signal });
  if (first.kind === 'exited' && first.exitCode === 0) return ok(`PostgreSQL ${tools.options.dataDir} stopped (${stopMode})`);
  if (first.kind === 'not-installed') return commandFailure('pg_ctl stop', first);
  const firstWhy = commandFailure(`pg_ctl stop -m ${stopMode}`, first).reason;
  const second = await tools.run(tools.stopArgv('immediate', Math.floor(IMMEDIATE_STOP_MS / 1000) - 1), { timeoutMs: IMMEDIATE_STOP_MS });
  const after = await tools.status({ signal: undefined, remainingMs: () => 10_000 });
  if (after.kind === 'stopped') return ok(`PostgreSQL ${tools.options.dataDir} stopped with immediate after: ${firstWhy}`);
  return outcome('failed', `PostgreSQL ${tools.options.dataDir} still runs after ${firstWhy}, then ${commandFailure('pg_ctl stop -m immediate', second).reason}`);
}
