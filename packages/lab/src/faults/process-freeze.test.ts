import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmResumed, confirmStopped, continueConfirmed, FreezeNotConfirmedError, readFreezeView, stopConfirmed, withChildren, type FreezeView } from './process-freeze.js';

/** A view that plays each pid's states in order, then repeats the last one; undefined is gone. */
function scripted(states: Record<number, (string | undefined)[]>): (pid: number) => FreezeView {
  const reads = new Map<number, number>();
  return (pid) => {
    const seen = reads.get(pid) ?? 0;
    reads.set(pid, seen + 1);
    const list = states[pid] ?? [undefined];
    const state = list[Math.min(seen, list.length - 1)];
    return state === undefined ? { gone: true } : { gone: false, state };
  };
}

describe('confirmStopped', () => {
  it('waits while a process is still running after SIGSTOP, until it shows T', async () => {
    const view = scripted({ 10: ['R', 'R', 'T'], 11: ['T'] });
    await expect(confirmStopped([10, 11], 'freeze x', { view, everyMs: 1 })).resolves.toBeUndefined();
  });

  it('takes a process that exited (or became a zombie) meanwhile as done', async () => {
    await expect(confirmStopped([10], 'freeze x', { view: scripted({ 10: ['R', undefined] }), everyMs: 1 })).resolves.toBeUndefined();
  });

  it('fails after its timeout naming the pid and the state it is stuck in', async () => {
    const view = scripted({ 10: ['T'], 11: ['D'] });
    const started = Date.now();
    const error = await confirmStopped([10, 11], 'freeze postgres on s2', { view, timeoutMs: 50, everyMs: 5 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(FreezeNotConfirmedError);
    expect((error as FreezeNotConfirmedError).pids).toEqual([11]);
    expect((error as Error).message).toBe('lab: freeze postgres on s2: pid 11 in state D not stopped (T) 50 ms after SIGSTOP');
  });

  it('names the thread that is not stopped yet', async () => {
    const view = (): FreezeView => ({ gone: false, state: 'R', thread: 12 });
    await expect(confirmStopped([10], 'freeze x', { view, timeoutMs: 10, everyMs: 5 })).rejects.toThrow('pid 10 (thread 12) in state R');
  });
});

describe('confirmResumed', () => {
  it('waits until no process is stopped; a gone one counts as resumed', async () => {
    await expect(confirmResumed([10, 11], 'resume x', { view: scripted({ 10: ['T', 'S'], 11: ['T', undefined] }), everyMs: 1 })).resolves.toBeUndefined();
  });

  it('fails after its timeout naming a process still stopped', async () => {
    await expect(confirmResumed([10], 'resume x', { view: scripted({ 10: ['T'] }), timeoutMs: 20, everyMs: 5 })).rejects.toThrow(
      'lab: resume x: pid 10 in state T not resumed (not T) 20 ms after SIGCONT',
    );
  });
});

describe('on real processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  /** A busy Node process (several threads, the main one always running) with a sleeping child. */
  async function busyWithChild(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['-e', `require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' }); console.log('up'); for (;;) {}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    await new Promise((resolve) => child.stdout?.once('data', resolve));
    return child;
  }

  it('a freeze returns only once the process and every thread of it are stopped; the resume once they run again', async () => {
    const child = await busyWithChild();
    const pid = child.pid ?? -1;
    const pids = withChildren(pid);
    expect(pids.length).toBe(2);
    try {
      await stopConfirmed(pids, 'freeze busy');
      for (const p of pids) expect(readFreezeView(p)).toEqual({ gone: false, state: 'T' });
      await continueConfirmed(pids, 'resume busy');
      for (const p of pids) expect(readFreezeView(p)).not.toEqual({ gone: false, state: 'T' });
    } finally {
      for (const p of pids.slice(1)) process.kill(p, 'SIGKILL');
    }
  });

  it('a freeze that cannot be confirmed resumes what it stopped before failing', async () => {
    const child = await busyWithChild();
    const pid = child.pid ?? -1;
    const pids = withChildren(pid);
    try {
      const never = (): FreezeView => ({ gone: false, state: 'R' });
      await expect(stopConfirmed([pid], 'freeze busy', { view: never, timeoutMs: 30, everyMs: 5 })).rejects.toBeInstanceOf(FreezeNotConfirmedError);
      await confirmResumed([pid], 'rolled back', { timeoutMs: 500 });
      expect(readFreezeView(pid)).not.toEqual({ gone: false, state: 'T' });
    } finally {
      for (const p of pids.slice(1)) process.kill(p, 'SIGKILL');
    }
  });

  it('a process that is gone reads as gone', async () => {
    const child = spawn('true');
    const pid = child.pid ?? -1;
    await new Promise((resolve) => child.once('exit', resolve));
    expect(readFreezeView(pid)).toEqual({ gone: true });
  });
});
