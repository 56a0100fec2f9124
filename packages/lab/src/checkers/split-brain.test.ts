import { describe, expect, it } from 'vitest';
import { detectSplitBrain, type WritableProbe } from './split-brain.js';

const answers = (host: string, fromMs: number, toMs: number, stepMs = 50): { atMs: number; host: string }[] => {
  const out: { atMs: number; host: string }[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push({ atMs: t, host });
  return out;
};
const probes = (host: string, fromMs: number, toMs: number, writable: boolean, stepMs = 100): WritableProbe[] => {
  const out: WritableProbe[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push({ host, startMs: t, endMs: t + 5, writable });
  return out;
};

describe('detectSplitBrain', () => {
  it('sees no window in a clean failover: A stops, a gap, B starts', () => {
    const windows = detectSplitBrain({
      answers: [...answers('a', 0, 1000), ...answers('b', 4000, 5000)],
      writable: [...probes('a', 0, 1000, true), ...probes('a', 1100, 5000, false), ...probes('b', 0, 3900, false), ...probes('b', 4000, 5000, true)],
      mergeGapMs: 500,
    });
    expect(windows).toEqual([]);
  });

  it('reports a window when probes find both hosts writable at once', () => {
    const windows = detectSplitBrain({ answers: [], writable: [...probes('a', 0, 2000, true), ...probes('b', 1000, 3000, true)], mergeGapMs: 500 });
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ hosts: ['a', 'b'], evidence: ['writable-probes'] });
    expect(windows[0]?.startMs).toBe(1000);
    expect(windows[0]?.endMs).toBe(2005);
  });

  it('reports a window when the service address is answered by two hosts in turn', () => {
    const interleaved = [...answers('a', 0, 1000, 100), ...answers('b', 50, 1050, 100)];
    const windows = detectSplitBrain({ answers: interleaved, writable: [], mergeGapMs: 500 });
    expect(windows).toEqual([{ startMs: 50, endMs: 1000, hosts: ['a', 'b'], evidence: ['client-answers'] }]);
  });

  it('combines evidence: the client answered by A while a probe finds B writable', () => {
    const windows = detectSplitBrain({ answers: answers('a', 0, 1000), writable: probes('b', 500, 600, true), mergeGapMs: 500 });
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ hosts: ['a', 'b'], evidence: ['client-answers', 'writable-probes'] });
  });

  it('does not stretch an interval across a probe that found the host read-only', () => {
    const a = [...probes('a', 0, 500, true), { host: 'a', startMs: 600, endMs: 605, writable: false }, ...probes('a', 3000, 3500, true)];
    const windows = detectSplitBrain({ answers: [], writable: [...a, ...probes('b', 1000, 2000, true)], mergeGapMs: 10_000 });
    expect(windows).toEqual([]);
  });

  it('ignores one host answering many times', () => {
    expect(detectSplitBrain({ answers: answers('a', 0, 5000), writable: probes('a', 0, 5000, true), mergeGapMs: 500 })).toEqual([]);
  });
});
