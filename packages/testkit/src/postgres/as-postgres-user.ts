import { asUserArgv } from '@tandem/core';
/** Options for `asPostgresUser`; both default to this process's situation. */
export interface AsPostgresUserOptions {
  /** Default: whether this process runs as uid 0. */
  readonly runningAsRoot?: boolean;
  /** Default `postgres` (the OS user Debian's postgresql package creates). */
  readonly user?: string;
}

/** Whether this process runs as root (PostgreSQL then must be started as another user). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * The argv that runs `argv` as the PostgreSQL OS user when we are root
 * (initdb and postgres refuse to run as root), unchanged otherwise.
 * setpriv execs the program in place, so the pid of the spawned child is
 * the pid of the program itself (runuser would fork and stay the parent).
 */
export function asPostgresUser(argv: readonly string[], options: AsPostgresUserOptions = {}): string[] {
  const root = options.runningAsRoot ?? runningAsRoot();
  if (!root) return [...argv];
  return asUserArgv(options.user ?? 'postgres', argv);
}
