import { outcome, type CommandResult, type Outcome, type OutcomeCode } from '@tandem/core';

/** Either a value, or the outcome that ends the action. */
export type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly outcome: Outcome };

export const done = <T>(value: T): Step<T> => ({ ok: true, value });
export const stop = (code: OutcomeCode, reason: string): Step<never> => ({ ok: false, outcome: outcome(code, reason) });

function excerpt(text: string): string {
  return text.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
}

/** A command that did not succeed, as the outcome an operator reads. */
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
