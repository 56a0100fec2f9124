import { readdirSync, readFileSync } from 'node:fs';

/**
 * Confirming a freeze. kill(SIGSTOP) only queues the signal: the process
 * stops when it next handles it (on another core, after an interrupt), so
 * right after kill() returns it may still be running (state R). A freeze
 * fault waits until every process it signalled shows T in /proc, and a heal
 * until none of them does, each within a bounded time.
 */

export const FREEZE_CONFIRM_TIMEOUT_MS = 2000;
export const FREEZE_CONFIRM_EVERY_MS = 10;

/** Send `signal` to each pid; a pid that exited meanwhile is skipped. */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

function statField(stat: string, afterState: number): string | undefined {
  // The command name is in parentheses and may contain spaces and ')': fields are counted after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[afterState];
}

/** Every process in /proc whose stat satisfies `keep` (state, ppid, pgrp ...: the fields after the command name). */
function processesWhere(keep: (fields: string[]) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return keep(stat.slice(stat.lastIndexOf(')') + 2).split(' '));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The members of process group `pgid` (a lab service's session: the service and everything it started). */
export function processGroupMembers(pgid: number): number[] {
  return processesWhere((fields) => Number(fields[2]) === pgid);
}

/** The pid and its direct children (a postmaster's backends and auxiliary processes). */
export function withChildren(pid: number): number[] {
  return [pid, ...processesWhere((fields) => Number(fields[1]) === pid)];
}

/** What one process looks like for a freeze: gone (or a zombie), or the state of its threads. */
export type FreezeView = { readonly gone: true } | { readonly gone: false; readonly state: string; readonly thread?: number };

/**
 * A process as a freeze sees it: 'T' only when every live thread is stopped
 * (a group stop reaches each thread on its own), otherwise the state of the
 * first thread that is not, naming that thread when it is not the main one.
 * A process that exited, or is a zombie, is gone.
 */
export function readFreezeView(pid: number): FreezeView {
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).filter((t) => /^\d+$/.test(t)).map(Number);
  } catch {
    return { gone: true };
  }
  // The main thread first, so a process that is simply running is reported by its own pid.
  tids.sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
  let live = 0;
  for (const tid of tids) {
    let state: string | undefined;
    try {
      state = statField(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'), 0);
    } catch {
      continue; // the thread exited meanwhile
    }
    if (state === undefined || state === 'Z' || state === 'X') continue;
    live += 1;
    if (state !== 'T') return tid === pid ? { gone: false, state } : { gone: false, state, thread: tid };
  }
  return live === 0 ? { gone: true } : { gone: false, state: 'T' };
}

export interface ConfirmOptions {
  readonly timeoutMs?: number;
  readonly everyMs?: number;
  /** How a process is read; /proc by default (tests substitute their own). */
  readonly view?: (pid: number) => FreezeView;
}

/** Thrown when a freeze or a heal did not take effect in time; `pids` are the processes still in the wrong state. */
export class FreezeNotConfirmedError extends Error {
  constructor(
    message: string,
    readonly pids: readonly number[],
  ) {
    super(message);
    this.name = 'FreezeNotConfirmedError';
  }
}

function describeView(pid: number, view: FreezeView): string {
  if (view.gone) return `pid ${pid} (gone)`;
  return `pid ${pid}${view.thread === undefined ? '' : ` (thread ${view.thread})`} in state ${view.state}`;
}

async function confirm(pids: readonly number[], want: 'stopped' | 'resumed', what: string, options: ConfirmOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? FREEZE_CONFIRM_TIMEOUT_MS;
  const everyMs = options.everyMs ?? FREEZE_CONFIRM_EVERY_MS;
  const view = options.view ?? readFreezeView;
  const done = (v: FreezeView): boolean => v.gone || (want === 'stopped' ? v.state === 'T' : v.state !== 'T');
  const deadline = Date.now() + timeoutMs;
  let pending = [...new Set(pids)];
  for (;;) {
    const views = pending.map((pid) => [pid, view(pid)] as const);
    const wrong = views.filter(([, v]) => !done(v));
    if (wrong.length === 0) return;
    pending = wrong.map(([pid]) => pid);
    if (Date.now() >= deadline) {
      const shown = wrong.slice(0, 5).map(([pid, v]) => describeView(pid, v));
      const more = wrong.length > shown.length ? ` and ${wrong.length - shown.length} more` : '';
      const expected = want === 'stopped' ? 'stopped (T)' : 'resumed (not T)';
      throw new FreezeNotConfirmedError(`lab: ${what}: ${shown.join(', ')}${more} not ${expected} ${timeoutMs} ms after ${want === 'stopped' ? 'SIGSTOP' : 'SIGCONT'}`, pending);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Wait until every one of `pids` is stopped (state T) or gone; throw FreezeNotConfirmedError naming the others after the timeout. */
export function confirmStopped(pids: readonly number[], what: string, options: ConfirmOptions = {}): Promise<void> {
  return confirm(pids, 'stopped', what, options);
}

/** Wait until none of `pids` is stopped (state T), a gone one counting as resumed; throw FreezeNotConfirmedError naming the others after the timeout. */
export function confirmResumed(pids: readonly number[], what: string, options: ConfirmOptions = {}): Promise<void> {
  return confirm(pids, 'resumed', what, options);
}

/**
 * SIGSTOP `pids` and wait until they are stopped. If they are not within the
 * timeout, SIGCONT them again (a fault that failed to inject leaves nothing
 * frozen behind) and throw.
 */
export async function stopConfirmed(pids: readonly number[], what: string, options: ConfirmOptions = {}): Promise<void> {
  signalAll(pids, 'SIGSTOP');
  try {
    await confirmStopped(pids, what, options);
  } catch (error) {
    signalAll(pids, 'SIGCONT');
    throw error;
  }
}

/** SIGCONT `pids` and wait until none of them is stopped. */
export async function continueConfirmed(pids: readonly number[], what: string, options: ConfirmOptions = {}): Promise<void> {
  signalAll(pids, 'SIGCONT');
  await confirmResumed(pids, what, options);
}
