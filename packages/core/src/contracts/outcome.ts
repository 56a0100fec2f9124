/**
 * Typed results shared by every contract, in the spirit of OCF return codes.
 *
 * A plugin *returns* an outcome for everything it understood, including
 * failures of the thing it manages. It *throws* only for programming errors
 * (a broken invariant in the plugin itself); the caller turns a throw into a
 * `failed` outcome and records it, so nothing on a safety path is swallowed.
 */
export type OutcomeCode =
  /** The operation did what was asked, or the state already was what was asked. */
  | 'ok'
  /** The target is cleanly stopped (monitor of a stopped resource). Not an error. */
  | 'not-running'
  /** The operation was tried and failed. The caller may retry or escalate. */
  | 'failed'
  /** The plugin's options cannot work. Retrying will not help; an operator must fix the config. */
  | 'config-error'
  /** A binary, module or device the plugin needs is absent on this host. Another node may still work. */
  | 'not-installed'
  /** The caller's deadline passed or its abort signal fired before an answer. */
  | 'timeout'
  /** An answer came back that the plugin cannot classify. Treated like `failed` by safety paths. */
  | 'unknown';

export const OUTCOME_CODES: readonly OutcomeCode[] = [
  'ok',
  'not-running',
  'failed',
  'config-error',
  'not-installed',
  'timeout',
  'unknown',
];

export interface Outcome<D = undefined> {
  readonly code: OutcomeCode;
  /** One human sentence an operator can act on ("ipmitool: chassis power status reads on"). */
  readonly reason: string;
  /** Contract-specific data; present on `ok` when the contract says so. */
  readonly data?: D;
}

export function ok<D = undefined>(reason = 'ok', data?: D): Outcome<D> {
  return data === undefined ? { code: 'ok', reason } : { code: 'ok', reason, data };
}

export function outcome<D = undefined>(code: OutcomeCode, reason: string, data?: D): Outcome<D> {
  return data === undefined ? { code, reason } : { code, reason, data };
}

export function isOutcome(value: unknown): value is Outcome<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; reason?: unknown };
  return typeof v.reason === 'string' && OUTCOME_CODES.includes(v.code as OutcomeCode);
}

/** Everything a contract call receives from its caller. */
export interface CallContext {
  /**
   * Fires when the caller's deadline passes or the caller gives up. A plugin
   * must stop work and return promptly (a `timeout` outcome) when it fires.
   * The caller enforces the deadline whether or not the plugin honours it.
   */
  readonly signal: AbortSignal;
  /** The deadline the caller chose, for plugins that pass it on to a tool (`-W`, `connect_timeout`). */
  readonly timeoutMs: number;
}
