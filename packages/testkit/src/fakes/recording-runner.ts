import { DryRunCommandRunner, type CommandResult, type CommandSpec } from '@tandem/core';

/** One scripted answer: for `program` whose args start with `argsPrefix`. */
export interface ScriptedAnswer {
  readonly program: string;
  readonly argsPrefix?: readonly string[];
  readonly result: CommandResult | ((spec: CommandSpec) => CommandResult);
}

/** Shorthand results for scripted answers. */
export const answer = {
  exit: (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 }),
  timeout: (): CommandResult => ({ kind: 'timeout', stdout: '', stderr: '', durationMs: 1 }),
  notInstalled: (file: string, debianPackage?: string): CommandResult => ({
    kind: 'not-installed',
    file,
    debianPackage,
    message: debianPackage ? `${file} is not installed: apt-get install ${debianPackage}` : `${file} is not installed`,
  }),
} as const;

function matches(a: ScriptedAnswer, spec: CommandSpec): boolean {
  const base = spec.file.split('/').pop();
  if (a.program !== spec.file && a.program !== base) return false;
  return (a.argsPrefix ?? []).every((arg, i) => spec.args[i] === arg);
}

/**
 * A recording command runner with scripted answers: the first answer whose
 * program and argument prefix match is returned; unmatched commands exit 0.
 * `runner.recorded` lists every command in order.
 *
 *   const runner = recordingRunner([{ program: 'ipmitool', argsPrefix: ['chassis', 'power', 'status'], result: answer.exit(0, 'Chassis Power is off') }]);
 */
export function recordingRunner(answers: readonly ScriptedAnswer[] = [], installed?: (file: string) => boolean): DryRunCommandRunner {
  return new DryRunCommandRunner({
    responder: (spec) => {
      const hit = answers.find((a) => matches(a, spec));
      if (!hit) return undefined;
      return typeof hit.result === 'function' ? hit.result(spec) : hit.result;
    },
    ...(installed ? { installed } : {}),
  });
}
