import { existsSync } from 'node:fs';
import { ok, outcome, SystemClock, type Clock, type CommandRunner, type NodeInfo, type Outcome } from '@tandem/core';
import { findPostgresBinDir } from './bin-dir.js';
import { conninfo } from './conninfo.js';
import { replicationUserOf, slotNameFor, type PostgresAgentOptions } from './options.js';
import { progressBytes, progressLines } from './parse.js';
import { commandFailure, deadlineOf, PgTools, type Deadline } from './pg-tools.js';
import { configureStandby, replicationAddress } from './standby-setup.js';
import { startServer } from './start-server.js';
import { stopServer } from './stop-server.js';
import { waitStreaming } from './wait-streaming.js';

export interface RejoinInput {
  readonly options: PostgresAgentOptions;
  /** The node being rejoined (this host). */
  readonly self: NodeInfo;
  /** The current primary to follow. */
  readonly primary: NodeInfo;
  readonly runner: CommandRunner;
  readonly clock?: Clock;
  /** Step messages and the tools' progress lines, in order. */
  readonly onProgress?: (line: string) => void;
  /** Bound on the whole rejoin. Default 30 minutes (a base backup of a large cluster takes time). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** How long to wait, after the start, for the WAL receiver to stream. Default 60 s. */
  readonly streamTimeoutMs?: number;
  /** Skip pg_rewind and take a fresh base backup. */
  readonly forceBaseBackup?: boolean;
}

export interface RejoinReport {
  readonly method: 'rewind' | 'basebackup';
  readonly primary: string;
  readonly slot: string;
  readonly durationMs: number;
  /** Bytes copied according to the tool's last progress line, when it printed one. */
  readonly bytes: number | undefined;
  /** Why pg_rewind was not enough, when the base backup was the fallback. */
  readonly rewindFailure?: string;
  /** Where the old data directory was moved (never deleted) before the base backup. */
  readonly movedAsideTo?: string;
}

/**
 * Bring an old primary (or any stale node) back as a streaming replica of
 * `primary`: stop it, pg_rewind it from the primary, or, when that cannot
 * work, move its data directory aside and take a fresh base backup; then
 * configure standby mode, start it and wait until its WAL receiver streams.
 */
export async function rejoinAsReplica(input: RejoinInput): Promise<Outcome<RejoinReport>> {
  const clock = input.clock ?? new SystemClock();
  const started = clock.monotonicMs();
  const { options, self, primary } = input;
  const say = (line: string): void => input.onProgress?.(line);
  const binDir = options.binDir ?? findPostgresBinDir();
  if (binDir === undefined) return outcome('not-installed', 'no PostgreSQL server under /usr/lib/postgresql/<major>/bin: apt-get install postgresql, or set options.binDir');
  if (primary.name === self.name) return outcome('config-error', `cannot rejoin ${self.name} as a replica of itself`);
  const host = replicationAddress(options, primary);
  if (typeof host !== 'string') return outcome(host.code, host.reason);
  const tools = new PgTools(options, input.runner, binDir);
  const d = deadlineOf(clock, input.timeoutMs ?? 30 * 60_000, input.signal);
  const slot = slotNameFor(options, self.name);

  say(`stopping PostgreSQL in ${options.dataDir}`);
  const stopped = await stopServer(tools, d);
  if (stopped.code !== 'ok') return outcome(stopped.code, `rejoin: could not stop the local server: ${stopped.reason}`);
  say(`making sure slot ${slot} exists on ${primary.name} (${host}:${options.port})`);
  const slotMade = await ensureSlot(tools, slot, host, d);
  if (slotMade) return outcome(slotMade.code, slotMade.reason);
  // A freshly promoted primary's control file still names its old timeline until its first checkpoint
  // completes, and pg_rewind reads the timeline from there: it would rewind onto the wrong history.
  say(`checkpoint on ${primary.name}, so pg_rewind sees its current timeline`);
  const checkpoint = await tools.query('checkpoint', d, { host, port: options.port }, false);
  if (!checkpoint.ok) return outcome(checkpoint.outcome.code === 'timeout' ? 'timeout' : 'failed', `rejoin: CHECKPOINT on the primary failed: ${checkpoint.outcome.reason}`);

  const copy = await copyFromPrimary(tools, input, host, slot, d, say);
  if (copy.code !== 'ok' || copy.data === undefined) return outcome(copy.code, copy.reason);
  say(`configuring standby mode (primary ${primary.name}, slot ${slot})`);
  const configured = await configureStandby(tools, self, primary, options.password.reveal(), d);
  if (configured) return outcome(configured.code, `rejoin: ${configured.reason}`);
  say('starting PostgreSQL as a standby');
  const up = await startServer(tools, d);
  if (up.code !== 'ok') return outcome(up.code, `rejoin: ${up.reason}`);
  say('waiting for the WAL receiver to stream');
  const streaming = await waitStreaming(tools, clock, d, input.streamTimeoutMs ?? 60_000);
  if (streaming.code !== 'ok') return outcome(streaming.code, `rejoin: ${streaming.reason}`);
  const report: RejoinReport = { ...copy.data, primary: primary.name, slot, durationMs: Math.round(clock.monotonicMs() - started) };
  say(`rejoined by ${report.method}: ${streaming.reason}`);
  return ok(`${self.name} rejoined as a replica of ${primary.name} by ${report.method} in ${report.durationMs} ms`, report);
}

type CopyResult = Pick<RejoinReport, 'method' | 'bytes' | 'rewindFailure' | 'movedAsideTo'>;

/** pg_rewind when it can work; otherwise the old directory is moved aside and a base backup taken. */
async function copyFromPrimary(tools: PgTools, input: RejoinInput, host: string, slot: string, d: Deadline, say: (line: string) => void): Promise<Outcome<CopyResult>> {
  const { options } = tools;
  let rewindFailure: string | undefined;
  if (input.forceBaseBackup === true) rewindFailure = 'a base backup was asked for (forceBaseBackup)';
  else if (!existsSync(options.dataDir)) rewindFailure = `${options.dataDir} does not exist`;
  else {
    say(`pg_rewind from ${host}:${options.port}`);
    const rewound = await runTool(tools, rewindArgv(tools, host), d, say);
    if (rewound.code === 'ok') return ok('rewound', { method: 'rewind', bytes: rewound.data });
    if (rewound.code === 'timeout') return outcome('timeout', `rejoin: pg_rewind: ${rewound.reason}`);
    rewindFailure = rewound.reason;
  }
  say(`base backup needed: ${rewindFailure}`);
  const movedAsideTo = existsSync(options.dataDir) ? `${options.dataDir}.old-${stamp(input.clock ?? new SystemClock())}` : undefined;
  if (movedAsideTo !== undefined) {
    say(`moving ${options.dataDir} aside to ${movedAsideTo}`);
    const moved = await tools.run(['mv', '-T', options.dataDir, movedAsideTo], { timeoutMs: Math.min(60_000, d.remainingMs()), signal: d.signal, asRoot: true });
    if (!(moved.kind === 'exited' && moved.exitCode === 0)) return outcome('failed', `rejoin: ${commandFailure('moving the old data directory aside', moved).reason}`);
  }
  const why = `; a base backup was needed because ${rewindFailure}`;
  const kept = movedAsideTo ? `; the old data directory is kept at ${movedAsideTo}` : '';
  // pg_basebackup runs as the OS user, who may not be allowed to create entries in the parent directory: root makes it, empty.
  const made = await tools.run(tools.ownedDirArgv(options.dataDir), { timeoutMs: Math.min(10_000, d.remainingMs()), signal: d.signal, asRoot: true });
  if (!(made.kind === 'exited' && made.exitCode === 0)) return outcome('failed', `rejoin: ${commandFailure(`creating ${options.dataDir}`, made).reason}${why}${kept}`);
  say(`pg_basebackup from ${host}:${options.port} into ${options.dataDir}`);
  const backup = await runTool(tools, baseBackupArgv(tools, input.self, host, slot), d, say);
  if (backup.code !== 'ok') return outcome(backup.code, `rejoin: pg_basebackup: ${backup.reason}${why}${kept}`);
  return ok('base backup taken', { method: 'basebackup', bytes: backup.data, rewindFailure, ...(movedAsideTo ? { movedAsideTo } : {}) });
}

/** Run a copying tool with the superuser's password in its environment; progress lines go to `say` as they are known. */
async function runTool(tools: PgTools, argv: string[], d: Deadline, say: (line: string) => void): Promise<Outcome<number | undefined>> {
  const r = await tools.run(argv, { timeoutMs: d.remainingMs(), signal: d.signal, env: { PGPASSWORD: tools.options.password.reveal() } });
  if (r.kind !== 'exited') return commandFailure(argv[0] ?? 'tool', r);
  const text = `${r.stderr}\n${r.stdout}`;
  for (const line of progressLines(text)) say(line);
  return r.exitCode === 0 ? ok('done', progressBytes(text)) : commandFailure(argv[0]?.split('/').pop() ?? 'tool', r);
}

export function rewindArgv(tools: PgTools, host: string): string[] {
  const { options } = tools;
  const source = conninfo({ host, port: options.port, user: options.superuser, dbname: 'postgres', application_name: 'tandem-rejoin' });
  const config = options.configFile === undefined ? [] : [`--config-file=${options.configFile}`];
  return [tools.bin('pg_rewind'), `--target-pgdata=${options.dataDir}`, `--source-server=${source}`, '--progress', ...config];
}

export function baseBackupArgv(tools: PgTools, self: NodeInfo, host: string, slot: string): string[] {
  const { options } = tools;
  const source = conninfo({ host, port: options.port, user: replicationUserOf(options), application_name: self.name });
  return [tools.bin('pg_basebackup'), '-D', options.dataDir, '-X', 'stream', '-c', 'fast', '-P', '-R', '-S', slot, '-d', source];
}

/** Create the standby's slot on the primary when it is missing (WAL reserved at once). */
async function ensureSlot(tools: PgTools, slot: string, host: string, d: Deadline): Promise<Outcome | undefined> {
  const sql = `select count(pg_create_physical_replication_slot('${slot}', true)) where not exists (select 1 from pg_replication_slots where slot_name = '${slot}')`;
  const q = await tools.query(sql, d, { host, port: tools.options.port }, false);
  return q.ok ? undefined : outcome(q.outcome.code === 'timeout' ? 'timeout' : 'failed', `rejoin: cannot create slot ${slot} on the primary: ${q.outcome.reason}`);
}

function stamp(clock: Clock): string {
  return new Date(clock.wallMs()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
