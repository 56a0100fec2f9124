/**
 * Exit codes scripts can rely on. Documented in docs/exit-codes.md; a CLI
 * test pins them. Never renumber; only add.
 */
export const ExitCode = {
  ok: 0,
  /** An action was attempted and failed (a fence, a switchover that rolled back). */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** The config file is missing, unreadable, not YAML, or does not validate. */
  invalidConfig: 3,
  /** A plugin named by the config cannot be found, loaded, or rejects its options. */
  pluginError: 4,
  /** The host lacks something the config needs: a command, a NIC, a permission. */
  preconditionFailed: 5,
  /** The coordination store cannot be reached. */
  storeUnavailable: 6,
  /** Refused for safety: no fence, no gateway, data loss not accepted, maintenance mode. */
  refused: 7,
  /** Waited for an outcome and the deadline passed. */
  timeout: 8,
  /** The operator declined a confirmation prompt. */
  declined: 10,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/** One actionable problem: where, what, and how to fix it. */
export interface Problem {
  /** Dotted path into the config (`nodes.db2.nics.storage.address`) or an argument name. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.path === '' ? '(top level)' : p.path;
  return p.fix ? `${where}: ${p.message} (fix: ${p.fix})` : `${where}: ${p.message}`;
}

/**
 * The one error class Tandem raises for things an operator must fix. It
 * carries the exit code, the problems, and the original error as `cause`.
 */
export class TandemError extends Error {
  readonly exitCode: number;
  readonly problems: readonly Problem[];
  readonly kind: ExitCodeName;

  constructor(kind: ExitCodeName, message: string, options: { problems?: readonly Problem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TandemError';
    this.kind = kind;
    this.exitCode = ExitCode[kind];
    this.problems = options.problems ?? [];
  }

  /** The message followed by one line per problem, as printed to an operator. */
  describe(): string {
    return [this.message, ...this.problems.map((p) => `  - ${formatProblem(p)}`)].join('\n');
  }

  toJSON(): { kind: ExitCodeName; exitCode: number; message: string; problems: readonly Problem[] } {
    return { kind: this.kind, exitCode: this.exitCode, message: this.message, problems: this.problems };
  }
}
