import { REDACTED, redactText, shellQuote, type CommandResult, type CommandRunner, type CommandSpec } from './command-runner.js';

/** A command as recorded: sensitive argv, env values and input already replaced by `***`. */
export interface RecordedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A variable whose name says it holds a secret is recorded as `***` even when the plugin did not mark it. */
const SECRET_NAME = /PASS|SECRET|TOKEN|KEY|CREDENTIAL/i;

function recordedEnv(env: NonNullable<CommandSpec['env']>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, SECRET_NAME.test(name) ? REDACTED : redactText(value)]));
}

/** Answers a recorded command in tests; return undefined to fall back to the default answer. */
export type CommandResponder = (spec: CommandSpec) => CommandResult | undefined;

/**
 * Records every command instead of running it, and renders them as a script
 * an operator can review before `apply`. Read-only commands can be delegated
 * to a real runner so that a plan sees the host's current state.
 * Also serves as the recording fake in unit tests (give it a responder).
 */
export class DryRunCommandRunner implements CommandRunner {
  readonly recorded: RecordedCommand[] = [];

  constructor(
    private readonly options: {
      readonly responder?: CommandResponder;
      readonly readOnlyDelegate?: CommandRunner;
      readonly installed?: (file: string) => boolean;
    } = {},
  ) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    if (!(spec.timeoutMs > 0)) throw new RangeError(`command ${spec.file}: timeoutMs must be > 0, got ${spec.timeoutMs}`);
    if (spec.readOnly && this.options.readOnlyDelegate) return this.options.readOnlyDelegate.run(spec);
    this.recorded.push({
      file: spec.file,
      args: spec.args.map(redactText),
      timeoutMs: spec.timeoutMs,
      ...(spec.input === undefined ? {} : { input: redactText(spec.input) }),
      ...(spec.env === undefined ? {} : { env: recordedEnv(spec.env) }),
    });
    return this.options.responder?.(spec) ?? { kind: 'exited', exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
  }

  async which(file: string): Promise<string | undefined> {
    if (this.options.installed) return this.options.installed(file) ? `/usr/bin/${file}` : undefined;
    return this.options.readOnlyDelegate?.which(file) ?? `/usr/bin/${file}`;
  }

  /** The recorded commands as a POSIX shell script, each with its timeout, ready for review. */
  toScript(title = 'commands Tandem would run'): string {
    const lines = ['#!/bin/sh', `# ${title}`, 'set -eu', ''];
    for (const c of this.recorded) {
      const cmd = shellQuote([c.file, ...c.args]);
      const timed = `timeout ${Math.ceil(c.timeoutMs / 1000)}s ${cmd}`;
      if (c.input === undefined) lines.push(timed);
      else lines.push(`${timed} <<'TANDEM_INPUT'`, c.input.replace(/\n$/, ''), 'TANDEM_INPUT');
    }
    return `${lines.join('\n')}\n`;
  }
}
