import { join } from 'node:path';
import { asUserArgv, type CommandResult, type CommandRunner, type Outcome } from '@tandem/core';
import { commandFailure, conninfo, connectTimeoutS, type Deadline } from '@tandem/plugin-resource-postgres';
import type { Result, WaldumpRunner } from './mirror-end.js';
import { parseLsn } from './lsn.js';

export interface ToolRun {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly env?: Readonly<Record<string, string>>;
  readonly readOnly?: boolean;
  /** Run as the agent's user (root) instead of the PostgreSQL OS user. */
  readonly asRoot?: boolean;
}

/** Where the local standby listens, and how to log in to it. */
export interface LocalServer {
  readonly socketDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: (() => string) | undefined;
}

/**
 * The PostgreSQL programs this plugin runs, through the CommandRunner, as
 * the PostgreSQL OS user (setpriv when the agent is root), from one bin dir.
 */
export class WalTools {
  constructor(
    private readonly runner: CommandRunner,
    readonly binDir: string | undefined,
    readonly osUser: string,
    readonly runningAsRoot: boolean = process.getuid?.() === 0,
  ) {}

  bin(program: string): string {
    return this.binDir === undefined ? program : join(this.binDir, program);
  }

  asOsUser(argv: readonly string[]): string[] {
    if (!this.runningAsRoot) return [...argv];
    return asUserArgv(this.osUser, argv);
  }

  run(argv: readonly string[], o: ToolRun): Promise<CommandResult> {
    const [file, ...args] = o.asRoot === true ? argv : this.asOsUser(argv);
    // cwd `/`: the OS user may not be allowed into the agent's working directory.
    return this.runner.run({
      file: file ?? '',
      args,
      timeoutMs: o.timeoutMs,
      cwd: '/',
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.env ? { env: o.env } : {}),
      ...(o.readOnly ? { readOnly: true } : {}),
    });
  }

  /**
   * pg_waldump as root: it only reads, and the symlinks it follows sit in a
   * directory private to the agent.
   */
  waldump(d: Deadline): WaldumpRunner {
    return async (dir, start, end) => {
      const argv = [this.bin('pg_waldump'), '-q', '-p', dir, start, ...(end === undefined ? [] : [end])];
      const r = await this.run(argv, { timeoutMs: Math.min(30_000, d.remainingMs()), signal: d.signal, readOnly: true, asRoot: true });
      if (r.kind === 'exited' && r.exitCode !== 127) return { ok: true, value: { stderr: r.stderr } };
      return { ok: false, why: commandFailure('pg_waldump', r).reason };
    };
  }

  /**
   * SQL on the local server (psql -At). Several statements go as several
   * `-c`, each in its own transaction (ALTER SYSTEM refuses a transaction
   * block). The password, if any, goes in the environment.
   */
  async queryLocal(server: LocalServer, sql: string | readonly string[], d: Deadline, readOnly = true): Promise<{ ok: true; stdout: string } | { ok: false; outcome: Outcome }> {
    const timeoutMs = d.remainingMs();
    const dsn = conninfo({ host: server.socketDir, port: server.port, user: server.user, dbname: 'postgres', connect_timeout: connectTimeoutS(timeoutMs), application_name: 'tandem-wal-mirror' });
    const env = server.password === undefined ? undefined : { PGPASSWORD: server.password() };
    const argv = [this.bin('psql'), '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, ...(typeof sql === 'string' ? [sql] : sql).flatMap((q) => ['-c', q])];
    const r = await this.run(argv, { timeoutMs, signal: d.signal, readOnly, ...(env ? { env } : {}) });
    if (r.kind === 'exited' && r.exitCode === 0) return { ok: true, stdout: r.stdout.trim() };
    return { ok: false, outcome: commandFailure(`psql on ${server.socketDir}:${server.port}`, r) };
  }

  /** The local standby's pg_last_wal_replay_lsn(); undefined when the server is not in recovery (it prints nothing). */
  async replayLsn(server: LocalServer, d: Deadline): Promise<Result<number | undefined>> {
    const q = await this.queryLocal(server, 'select pg_last_wal_replay_lsn()', d);
    if (!q.ok) return { ok: false, why: q.outcome.reason };
    if (q.stdout === '') return { ok: true, value: undefined };
    const lsn = parseLsn(q.stdout);
    return lsn === undefined ? { ok: false, why: `pg_last_wal_replay_lsn() answered "${q.stdout.slice(0, 80)}"` } : { ok: true, value: lsn };
  }
}
