import { describeCommand, type CallContext, type CommandRunner, type CommandText } from '@tandem/core';
import { commandFailure, done, type Step } from './step.js';

/** What an exited command said. */
export interface Said {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly readOnly?: boolean;
  /** Exit codes that are answers rather than failures (iscsiadm's 15 "session exists", 21 "nothing found"). */
  readonly accept?: readonly number[];
  readonly input?: CommandText;
}

/**
 * Runs the plugin's commands through the CommandRunner port: argv only, the caller's signal, and a
 * timeout that is the smaller of the plugin's per-command bound and the caller's deadline.
 */
export class HostCommands {
  constructor(
    readonly runner: CommandRunner,
    private readonly commandTimeoutMs: number,
  ) {}

  async run(ctx: CallContext, file: string, args: readonly CommandText[], options: RunOptions = {}): Promise<Step<Said>> {
    const timeoutMs = Math.max(1, Math.min(this.commandTimeoutMs, ctx.timeoutMs));
    const result = await this.runner.run({
      file,
      args,
      timeoutMs,
      signal: ctx.signal,
      ...(options.readOnly ? { readOnly: true } : {}),
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    if (result.kind === 'exited' && (result.exitCode === 0 || (options.accept ?? []).includes(result.exitCode))) {
      return done({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    }
    return { ok: false, outcome: commandFailure(describeCommand({ file, args }), result) };
  }

  /** Run a query whose non-zero exit is an answer ("not there"), not a failure; only a missing binary or a timeout fails. */
  async ask(ctx: CallContext, file: string, args: readonly CommandText[]): Promise<Step<Said>> {
    const timeoutMs = Math.max(1, Math.min(this.commandTimeoutMs, ctx.timeoutMs));
    const result = await this.runner.run({ file, args, timeoutMs, signal: ctx.signal, readOnly: true });
    if (result.kind === 'exited') return done({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    return { ok: false, outcome: commandFailure(describeCommand({ file, args }), result) };
  }
}

/** `key = value` lines, as `iscsiadm -m iface -I x` and `iscsiadm -m node -T ... -p ...` print a record. */
export function parseIscsiRecord(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([\w.[\]]+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}
