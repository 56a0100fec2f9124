import { outcome, type CommandRunner, type Outcome } from '@tandem/core';
import { commandFailure, type Deadline } from '@tandem/plugin-resource-postgres';

export type Ran = { readonly ok: true; readonly exitCode: number; readonly stdout: string; readonly stderr: string } | { readonly ok: false; readonly outcome: Outcome };

export interface RunOptions {
  readonly input?: string;
  /** Status queries: they still run under the dry-run runner. */
  readonly readOnly?: boolean;
  /** Exit codes that are answers, not failures (mdadm --detail's 1 for "no such array"). */
  readonly accept?: readonly number[];
  /** Longer than commandTimeoutMs (a targetcli script under TCG), still within the call's deadline. */
  readonly timeoutMs?: number;
}

/**
 * Commands of one call, as argv through the CommandRunner: each bounded by
 * the smaller of commandTimeoutMs and what is left of the caller's deadline,
 * and a failure turned into the Outcome that names the command.
 */
export class HostShell {
  constructor(
    private readonly runner: CommandRunner,
    private readonly commandTimeoutMs: number,
    readonly deadline: Deadline,
  ) {}

  async run(argv: readonly string[], o: RunOptions = {}): Promise<Ran> {
    const [file, ...args] = argv;
    if (file === undefined) throw new RangeError('HostShell.run: empty argv');
    if (this.deadline.signal?.aborted === true) return { ok: false, outcome: outcome('timeout', `${file}: the caller gave up`) };
    const r = await this.runner.run({
      file,
      args,
      timeoutMs: Math.max(1, Math.min(o.timeoutMs ?? this.commandTimeoutMs, this.deadline.remainingMs())),
      ...(this.deadline.signal ? { signal: this.deadline.signal } : {}),
      ...(o.input !== undefined ? { input: o.input } : {}),
      ...(o.readOnly ? { readOnly: true } : {}),
    });
    if (r.kind === 'exited' && (r.exitCode === 0 || (o.accept ?? []).includes(r.exitCode))) return { ok: true, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    return { ok: false, outcome: commandFailure(argv.slice(0, 3).join(' '), r) };
  }
}
