import { describe, expect, it } from 'vitest';
import type { WriteAttempt } from '../checkers/workload-records.js';
import { findRestorePoint, powerCutMs } from './restore-point.js';

const write = (seq: number, startMs: number, endMs: number, outcome: WriteAttempt['outcome'], host?: string): WriteAttempt => ({ kind: 'write', writer: 'w1', seq, startMs, endMs, outcome, ...(host ? { host } : {}) });

describe('findRestorePoint', () => {
  it('takes the first ack that started after the fault on another host', () => {
    const attempts = [write(1, 900, 950, 'acked', 's1'), write(2, 990, 5000, 'uncertain'), write(3, 5100, 5200, 'failed'), write(4, 5300, 5350, 'acked', 's2'), write(5, 5400, 5450, 'acked', 's2')];
    expect(findRestorePoint(attempts, 1000, 's1')).toEqual({ atMs: 5350, restoreMs: 4350, host: 's2' });
  });

  it('ignores a write that started before the fault even if another host answered it', () => {
    const attempts = [write(1, 999, 1200, 'acked', 's2'), write(2, 1300, 1400, 'acked', 's2')];
    expect(findRestorePoint(attempts, 1000, 's1')?.atMs).toBe(1400);
  });

  it('ignores acks from the old primary after the fault (it never went away for the client)', () => {
    expect(findRestorePoint([write(1, 1100, 1150, 'acked', 's1')], 1000, 's1')).toBeUndefined();
  });

  it('is undefined when nothing came back', () => {
    expect(findRestorePoint([write(1, 1100, 9000, 'failed')], 1000, 's1')).toBeUndefined();
  });
});

describe('powerCutMs', () => {
  const hook = ['1700000000000 set power 1', '1700000005000 set power 0', '1700000005400 power off (links down, processes killed in 2 rounds)', '1700000009000 set power 0'].join('\n');

  it('is the hook line of the cut that began after the command was sent', () => {
    expect(powerCutMs(hook, 1700000004900)).toBe(1700000005000);
    expect(powerCutMs(hook, 1700000006000)).toBe(1700000009000);
  });

  it('falls back to the send time without such a line', () => {
    expect(powerCutMs(hook, 1700000010000)).toBe(1700000010000);
    expect(powerCutMs('', 42)).toBe(42);
  });
});
