import { join } from 'node:path';
import { asUserArgv, outcome, type Clock, type CommandResult, type CommandRunner, type Outcome } from '@tandem/core';
import { conninfo, connectTimeoutS } from './conninfo.js';
import { logFileOf, type PostgresAgentOptions } from './options.js';
import { parsePgCtlStatus, type ServerStatus } from './parse.js';

/** The time left for one agent call: every command gets at most this, and the caller's signal. */
export interface Deadline {
  readonly signal: AbortSignal | undefined;
  remainingMs(): number;
}

export function deadlineOf(clock: Clock, timeoutMs: number, signal?: AbortSignal): Deadline {
  const endsAtMs = clock.monotonicMs() + timeoutMs;
  return { signal, remainingMs: () => Math.max(1, Math.round(endsAtMs - clock.monotonicMs())) };
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  readonly readOnly?: boolean;
  /** Run as root instead of the PostgreSQL OS user. */
  readonly asRoot?: boolean;
}

export type QueryResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly outcome: Outcome };

/** Where to connect: the local server over its unix socket, or another over TCP. */
export interface QueryTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * The PostgreSQL programs as the agent runs them: through the CommandRunner,
 * as the OS user that owns the data directory (setpriv when the agent is
 * root; PostgreSQL refuses to run as root), from the configured bin dir.
 */
export class PgTools {
  constructor(
    readonly options: PostgresAgentOptions,
    readonly runner: CommandRunner,
    readonly binDir: string | undefined,
    private readonly runningAsRoot: boolean = process.getuid?.() === 0,
    private readonly password: () => string = () => options.password.reveal(),
  ) {}

  bin(program: string): string {
    return this.binDir === undefined ? program : join(this.binDir, program);
  }

  /** argv that runs `argv` as the OS user (unchanged when the agent is not root). */
  asOsUser(argv: readonly string[]): string[] {
    if (!this.runningAsRoot) return [...argv];
    return asUserArgv(this.options.osUser, argv);
  }

  /** argv (run as root) that makes an empty directory owned by the OS user, mode 0700 as PostgreSQL wants. */
  ownedDirArgv(path: string): string[] {
    return ownedDirArgv(path, this.options.osUser, this.runningAsRoot);
  }

  run(argv: readonly string[], o: RunOptions): Promise<CommandResult> {
    const [file, ...args] = o.asRoot === true ? argv : this.asOsUser(argv);
    // cwd `/`: the OS user may not be allowed into the agent's working directory.
    return this.runner.run({
      file: file ?? '',
      args,
      timeoutMs: o.timeoutMs,
      cwd: '/',
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.env ? { env: o.env } : {}),
      ...(o.input !== undefined ? { input: o.input } : {}),
      ...(o.readOnly ? { readOnly: true } : {}),
    });
  }

  async status(d: Deadline): Promise<ServerStatus> {
    const r = await this.run([this.bin('pg_ctl'), 'status', '-D', this.options.dataDir], { timeoutMs: Math.min(10_000, d.remainingMs()), signal: d.signal, readOnly: true });
    return parsePgCtlStatus(r);
  }

  /** Run one SQL statement with psql and return its unaligned output; the password goes in the environment, never argv. */
  async query(sql: string, d: Deadline, target?: QueryTarget, readOnly = true): Promise<QueryResult> {
    const timeoutMs = d.remainingMs();
    const where = target ?? { host: this.options.socketDir, port: this.options.port };
    const dsn = conninfo({ host: where.host, port: where.port, user: this.options.superuser, dbname: 'postgres', connect_timeout: connectTimeoutS(timeoutMs), application_name: 'tandem-resource-postgres' });
    const argv = [this.bin('psql'), '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql];
    const r = await this.run(argv, { timeoutMs, signal: d.signal, env: { PGPASSWORD: this.password() }, readOnly });
    if (r.kind === 'exited' && r.exitCode === 0) return { ok: true, stdout: r.stdout };
    return { ok: false, outcome: commandFailure(`psql on ${where.host}:${where.port}`, r) };
  }

  /** `-o` for pg_ctl: port and socket directory from the options, so the agent connects where the server listens. */
  serverOptions(): string {
    const config = this.options.configFile === undefined ? '' : ` -c config_file=${this.options.configFile}`;
    return `-p ${this.options.port} -k ${this.options.socketDir}${config}`;
  }

  startArgv(waitS: number): string[] {
    return [this.bin('pg_ctl'), 'start', '-w', '-t', String(waitS), '-D', this.options.dataDir, '-l', logFileOf(this.options), '-o', this.serverOptions()];
  }

  stopArgv(mode: 'fast' | 'smart' | 'immediate', waitS: number): string[] {
    return [this.bin('pg_ctl'), 'stop', '-w', '-t', String(waitS), '-m', mode, '-D', this.options.dataDir];
  }

  promoteArgv(waitS: number): string[] {
    return [this.bin('pg_ctl'), 'promote', '-w', '-t', String(waitS), '-D', this.options.dataDir];
  }

  /** Write a file owned by the OS user (standby.signal, postgresql.auto.conf), through the runner so dry runs show it. */
  async writeFile(path: string, content: string, d: Deadline): Promise<Outcome | undefined> {
    const r = await this.run(['tee', path], { timeoutMs: Math.min(10_000, d.remainingMs()), signal: d.signal, input: content });
    return r.kind === 'exited' && r.exitCode === 0 ? undefined : commandFailure(`writing ${path}`, r);
  }
}

/** `install -d -m 0700`, owned by `osUser` when the agent is root (otherwise the agent's own user owns it). */
export function ownedDirArgv(path: string, osUser: string, runningAsRoot: boolean): string[] {
  return runningAsRoot ? ['install', '-d', '-m', '0700', '-o', osUser, '-g', osUser, path] : ['install', '-d', '-m', '0700', path];
}

/** Seconds for a pg_ctl `-t`: what is left of the deadline, less a margin for pg_ctl itself to report. */
export function waitSeconds(limitMs: number, d: Deadline): number {
  return Math.max(1, Math.floor((Math.min(limitMs, d.remainingMs()) - 500) / 1000));
}

/** A command that did not exit 0, as an outcome an operator can act on. */
export function commandFailure(what: string, r: CommandResult): Outcome {
  switch (r.kind) {
    case 'not-installed':
      return outcome('not-installed', `${what}: ${r.message}`);
    case 'timeout':
      return outcome('timeout', `${what}: no answer before the deadline (${Math.round(r.durationMs)} ms)`);
    case 'aborted':
      return outcome('timeout', `${what}: the caller gave up`);
    case 'exited': {
      const text = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ').slice(-400);
      if (r.exitCode === 127) return outcome('not-installed', `${what}: program not found (${text}); apt-get install postgresql, or set options.binDir`);
      return outcome('failed', `${what} exited ${r.exitCode}: ${text || 'no output'}`);
    }
  }
}
