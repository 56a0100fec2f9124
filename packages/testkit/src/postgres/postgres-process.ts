import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { asPostgresUser } from './as-postgres-user.js';

/** One run of the postmaster, started in a process group of its own. */
export interface PostmasterRun {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

const POLL_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Start `postgres -D dataDir` with its output appended to logFile, detached
 * into its own process group so a crash can SIGKILL the postmaster and every
 * backend at once. Resolves when the log says it accepts connections and the
 * TCP port answers; rejects with the log's tail otherwise.
 */
export async function startPostmaster(binDir: string, dataDir: string, logFile: string, port: number, startTimeoutMs: number): Promise<PostmasterRun> {
  const fd = openSync(logFile, 'a');
  const [file = 'postgres', ...args] = asPostgresUser([join(binDir, 'postgres'), '-D', dataDir]);
  const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const started = performance.now();
  const logStart = tail(logFile, 100_000).length;
  while (performance.now() - started < startTimeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres harness: postgres exited (${String(child.exitCode ?? child.signalCode)}) before it was ready; log ${logFile}:\n${tail(logFile)}`);
    }
    const fresh = tail(logFile, 100_000).slice(logStart);
    if (fresh.includes('ready to accept connections') && (await tcpAccepts('127.0.0.1', port, 500))) return { child, exited };
    await sleep(POLL_MS);
  }
  killGroup(child, 'SIGKILL');
  throw new Error(`postgres harness: postgres on 127.0.0.1:${port} was not ready within ${startTimeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
}

/** Signal the postmaster's whole process group (backends included); a vanished group is not an error. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/** Wait up to timeoutMs for the run to end; true when it did. */
export async function waitExited(run: PostmasterRun, timeoutMs: number): Promise<boolean> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const result = await Promise.race([run.exited.then(() => true), timedOut]);
  clearTimeout(timer);
  return result;
}

/** Wait up to timeoutMs until no process of the run's group is left (backends outlive a killed postmaster briefly). */
export async function waitGroupGone(run: PostmasterRun, timeoutMs: number): Promise<boolean> {
  const pid = run.child.pid;
  if (pid === undefined) return true;
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      process.kill(-pid, 0);
    } catch {
      return true;
    }
    await sleep(20);
  }
  return false;
}
