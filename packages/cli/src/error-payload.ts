import { ExitCode, StoreUnavailableError, TandemError, formatProblem, type ExitCodeName, type Problem } from '@tandem/core';
import { safeLine, safeText } from './safe-text.js';

/** The `error` member of a failed command's `--json` output. Scripts rely on this shape. */
export interface ErrorPayload {
  readonly kind: ExitCodeName;
  readonly exitCode: number;
  readonly message: string;
  readonly problems: readonly Problem[];
}

/** What a failure means to the operator, whatever was thrown. */
export interface Classified {
  readonly payload: ErrorPayload;
  /** Only for errors Tandem did not anticipate: the stack helps a bug report. */
  readonly stack: string | undefined;
}

/**
 * Sort a thrown value into the exit-code table. oclif's parse errors (unknown
 * flag, missing argument, value outside the allowed options) carry
 * `oclif.exit`; they are usage errors and exit 2.
 */
export function classifyError(error: unknown): Classified {
  if (error instanceof TandemError) {
    return { payload: { kind: error.kind, exitCode: error.exitCode, message: error.message, problems: error.problems }, stack: undefined };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      payload: { kind: 'storeUnavailable', exitCode: ExitCode.storeUnavailable, message: error.message, problems: [{ path: 'store', message: 'the coordination store did not answer', fix: 'check that the store (Redis, or the embedded file) is reachable from here' }] },
      stack: undefined,
    };
  }
  const oclifExit = (error as { oclif?: { exit?: unknown } } | undefined)?.oclif?.exit;
  if (typeof oclifExit === 'number') {
    const message = error instanceof Error ? error.message : String(error);
    return { payload: { kind: kindOf(oclifExit), exitCode: oclifExit, message, problems: [] }, stack: undefined };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    payload: { kind: 'failed', exitCode: ExitCode.failed, message, problems: [] },
    stack: error instanceof Error ? error.stack : undefined,
  };
}

/** oclif's parser exits 2, which is our `usage`; anything else maps back by number. */
function kindOf(exitCode: number): ExitCodeName {
  const hit = (Object.entries(ExitCode) as [ExitCodeName, number][]).find(([, code]) => code === exitCode);
  return hit ? hit[0] : 'failed';
}

/** The text an operator reads on stderr: the message, then one line per problem. Both may quote the store or a plugin: made safe for a terminal. */
export function renderError(payload: ErrorPayload): string {
  return [`Error: ${safeText(payload.message)}`, ...payload.problems.map((p) => `  - ${safeLine(formatProblem(p))}`)].join('\n');
}
