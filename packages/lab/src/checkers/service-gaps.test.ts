import { describe, expect, it } from 'vitest';
import { percentiles } from './percentiles.js';
import { serviceGaps } from './service-gaps.js';
import type { WriteAttempt, WriteOutcome } from './workload-records.js';

const at = (seq: number, startMs: number, outcome: WriteOutcome): WriteAttempt => ({ kind: 'write', writer: 'w', seq, startMs, endMs: startMs + 10, outcome });

describe('serviceGaps', () => {
  it('measures from the last ack before trouble to the next ack', () => {
    const gaps = serviceGaps([at(1, 0, 'acked'), at(2, 100, 'failed'), at(3, 200, 'uncertain'), at(4, 300, 'failed'), at(5, 400, 'acked'), at(6, 500, 'acked')]);
    expect(gaps).toEqual([{ fromMs: 10, toMs: 410, durationMs: 400, restored: true, failedAttempts: 2, uncertainAttempts: 1 }]);
  });

  it('reports an outage still open at the end, and one that began before the first ack', () => {
    const gaps = serviceGaps([at(1, 0, 'failed'), at(2, 100, 'acked'), at(3, 200, 'failed'), at(4, 300, 'failed')]);
    expect(gaps).toEqual([
      { fromMs: 0, toMs: 110, durationMs: 110, restored: true, failedAttempts: 1, uncertainAttempts: 0 },
      { fromMs: 110, toMs: 310, durationMs: 200, restored: false, failedAttempts: 2, uncertainAttempts: 0 },
    ]);
  });

  it('finds no gap when every write was acked', () => {
    expect(serviceGaps([at(1, 0, 'acked'), at(2, 50, 'acked')])).toEqual([]);
  });
});

describe('percentiles', () => {
  it('gives nearest-rank p50, p99 and max', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p99: 7, max: 7 });
  });

  it('gives undefined for no values', () => {
    expect(percentiles([])).toBeUndefined();
  });
});
