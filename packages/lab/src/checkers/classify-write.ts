import type { WriteOutcome } from './workload-records.js';
import { SessionError } from './pg-session.js';

/**
 * SQLSTATE classes where the server may have committed before reporting the
 * error (the connection was being torn down: operator intervention such as
 * admin shutdown, connection exceptions, system errors, internal errors).
 */
const MAYBE_COMMITTED_CLASSES = new Set(['57', '08', '58', 'XX', '53']);

/** The outcome of a write that returned rows, given the warnings the server sent while it ran. */
export function classifyAnswered(warnings: readonly string[]): { outcome: WriteOutcome; error?: string } {
  // A commit whose wait for a synchronous standby was cancelled comes back as a
  // success plus a WARNING; the row may exist only here. Any warning on a plain
  // INSERT is treated the same way: unsure, never safe.
  if (warnings.length > 0) return { outcome: 'uncertain', error: `server warned: ${warnings.join('; ')}` };
  return { outcome: 'acked' };
}

/** The outcome of a write that threw. */
export function classifyError(error: unknown): { outcome: WriteOutcome; error: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof SessionError)) return { outcome: 'uncertain', error: message };
  if (!error.sent) return { outcome: 'failed', error: message };
  if (error.timedOut) return { outcome: 'uncertain', error: `no answer before the client deadline; connection dropped (${message})` };
  if (error.sqlState === undefined) return { outcome: 'uncertain', error: `connection lost after sending (${message})` };
  if (MAYBE_COMMITTED_CLASSES.has(error.sqlState.slice(0, 2))) return { outcome: 'uncertain', error: `${error.sqlState}: ${message}` };
  // An ordinary statement error (read-only replica, missing table ...): the autocommit transaction rolled back.
  return { outcome: 'failed', error: `${error.sqlState}: ${message}` };
}
