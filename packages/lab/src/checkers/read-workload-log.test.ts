import { describe, expect, it } from 'vitest';
import { parseWorkloadLog } from './read-workload-log.js';

const write = (seq: number): string => JSON.stringify({ kind: 'write', writer: 'w1', seq, startMs: 1, endMs: 2, outcome: 'acked', host: 'a' });
const probe = JSON.stringify({ kind: 'probe', host: 'a', startMs: 1, endMs: 2, writable: true });
const start = JSON.stringify({ kind: 'start', writer: 'w1', atMs: 0 });

describe('parseWorkloadLog', () => {
  it('splits attempts and probes and ignores start/stop lines', () => {
    const log = parseWorkloadLog(`${start}\n${write(1)}\n${probe}\n${write(2)}\n`);
    expect(log.attempts.map((a) => a.seq)).toEqual([1, 2]);
    expect(log.probes).toHaveLength(1);
    expect(log).toMatchObject({ tornLastLine: false, badLines: [] });
  });

  it('skips a torn last line (no newline, cut JSON)', () => {
    const log = parseWorkloadLog(`${write(1)}\n${write(2).slice(0, 20)}`);
    expect(log.attempts).toHaveLength(1);
    expect(log).toMatchObject({ tornLastLine: true, badLines: [] });
  });

  it('reports a broken line in the middle instead of hiding it', () => {
    const log = parseWorkloadLog(`${write(1)}\n{"kind":"write","seq":"x"}\nnot json\n${write(3)}\n`);
    expect(log.attempts.map((a) => a.seq)).toEqual([1, 3]);
    expect(log.badLines).toEqual([2, 3]);
  });

  it('reads an empty log as empty', () => {
    expect(parseWorkloadLog('')).toEqual({ attempts: [], probes: [], tornLastLine: false, badLines: [] });
  });
});
