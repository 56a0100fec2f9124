import { describe, expect, it } from 'vitest';
import { verifyWrites } from './verify-writes.js';
import type { StoredRow, WriteAttempt, WriteOutcome } from './workload-records.js';

const attempt = (seq: number, outcome: WriteOutcome = 'acked', writer = 'w1'): WriteAttempt => ({ kind: 'write', writer, seq, startMs: seq * 10, endMs: seq * 10 + 5, outcome });
const row = (id: number, seq: number, writer = 'w1'): StoredRow => ({ id, writer, seq, host: 'a', committedAtMs: id });
const rowsFor = (seqs: number[]): StoredRow[] => seqs.map((seq, i) => row(i + 1, seq));

describe('verifyWrites', () => {
  it('finds nothing wrong when every acked write is stored once, in order', () => {
    const v = verifyWrites([1, 2, 3].map((s) => attempt(s)), rowsFor([1, 2, 3]));
    expect(v).toMatchObject({ attempts: 3, acked: 3, stored: 3, lost: [], duplicated: [], outOfOrder: 0, unexpected: [] });
  });

  it('reports acked seqs that are missing as lost, but not missing failed or uncertain ones', () => {
    const attempts = [attempt(1), attempt(2), attempt(3, 'failed'), attempt(4, 'uncertain'), attempt(5), attempt(6)];
    const v = verifyWrites(attempts, rowsFor([1, 6]));
    expect(v.lost).toEqual([2, 5]);
    expect(v).toMatchObject({ acked: 4, failed: 1, uncertain: 1, uncertainStored: 0 });
  });

  it('reports duplicates, rows out of id order, seqs never attempted and failed writes that were stored', () => {
    const attempts = [1, 2, 3, 4].map((s) => attempt(s, s === 4 ? 'failed' : 'acked'));
    const v = verifyWrites(attempts, rowsFor([1, 2, 2, 3, 4, 9]));
    expect(v.duplicated).toEqual([2]);
    expect(v.outOfOrder).toBe(1);
    expect(v.unexpected).toEqual([9]);
    expect(v.failedButStored).toEqual([4]);
  });

  it('counts an old seq with a newer id as out of order', () => {
    expect(verifyWrites([1, 2, 3].map((s) => attempt(s)), rowsFor([1, 3, 2])).outOfOrder).toBe(1);
  });

  it('does not count an abandoned (uncertain) write that committed late as out of order', () => {
    // seq 2 timed out on the client; its INSERT reached the server after seq 3 committed.
    const attempts = [attempt(1), attempt(2, 'uncertain'), attempt(3)];
    expect(verifyWrites(attempts, rowsFor([1, 3, 2])).outOfOrder).toBe(0);
  });

  it('ignores rows of writers that made no attempt in this log', () => {
    const v = verifyWrites([attempt(1)], [row(1, 1), row(2, 1, 'old-run'), row(3, 7, 'old-run')]);
    expect(v).toMatchObject({ stored: 1, duplicated: [], unexpected: [], outOfOrder: 0 });
  });
});
