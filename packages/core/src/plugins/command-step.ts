import { outcome, type Outcome, type OutcomeCode } from '../contracts/outcome.js';
import type { CommandResult } from '../ports/command-runner.js';

/**
 * For plugins that run a sequence of commands: each step gives either a value
 * or the outcome that ends the whole action, so a sequence reads top to bottom
 * and the first failure is what the operator sees.
 */
export type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly outcome: Outcome };

export const done = <T>(value: T): Step<T> => ({ ok: true, value });
export const stop = (code: OutcomeCode, reason: string): Step<never> => ({ ok: false, outcome: outcome(code, reason) });

function excerpt(text: string): string {
  return text.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
}

/** A command that did not succeed, as the outcome an operator reads: its last lines of output, never a stack. */
export function commandFailure(what: string, result: CommandResult): Outcome {
  switch (result.kind) {
    case 'not-installed':
      return outcome('not-installed', `${what}: ${result.message}`);
    case 'timeout':
      return outcome('timeout', `${what}: no answer in time`);
    case 'aborted':
      return outcome('timeout', `${what}: abandoned (the caller's deadline passed)`);
    case 'exited':
      return outcome('failed', `${what} exited ${result.exitCode}: ${excerpt(result.stderr || result.stdout) || '(no output)'}`);
  }
}

/** A failure outcome carries no data, whatever the action's data type. */
export function withoutData<D>(o: Outcome): Outcome<D> {
  return outcome(o.code, o.reason);
}
