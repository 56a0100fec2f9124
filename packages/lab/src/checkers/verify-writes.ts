import type { StoredRow, WriteAttempt } from './workload-records.js';

/** What the stored rows say about the attempts a writer made. */
export interface WriteVerdict {
  readonly attempts: number;
  readonly acked: number;
  readonly uncertain: number;
  readonly failed: number;
  /** Rows of the attempted writers found in the table. */
  readonly stored: number;
  /** Acked seqs with no row: acknowledged writes that were lost. */
  readonly lost: number[];
  /** Seqs stored more than once. */
  readonly duplicated: number[];
  /** Rows of acked writes (per writer, in id order) whose seq is not greater than the previous such row's. */
  readonly outOfOrder: number;
  /** Stored seqs that no attempt ever wrote. */
  readonly unexpected: number[];
  /** Seqs the client called failed but that are stored: the client's classification was wrong. */
  readonly failedButStored: number[];
  /** Uncertain attempts that did commit (informational). */
  readonly uncertainStored: number;
}

const key = (writer: string, seq: number): string => `${writer}\u0000${seq}`;

/**
 * Compare a writer's attempts with the rows the database holds. Only rows of
 * writers that appear in `attempts` are judged, so earlier runs with other
 * writer ids in the same table do not count. Seqs are reported as numbers
 * (sorted); with several writers a seq may repeat across writers.
 */
export function verifyWrites(attempts: readonly WriteAttempt[], rows: readonly StoredRow[]): WriteVerdict {
  const writers = new Set(attempts.map((a) => a.writer));
  const mine = rows.filter((r) => writers.has(r.writer));
  const storedCount = new Map<string, number>();
  for (const row of mine) storedCount.set(key(row.writer, row.seq), (storedCount.get(key(row.writer, row.seq)) ?? 0) + 1);
  const attempted = new Map(attempts.map((a) => [key(a.writer, a.seq), a] as const));
  const stored = (a: WriteAttempt): boolean => (storedCount.get(key(a.writer, a.seq)) ?? 0) > 0;
  const duplicated = mine.filter((r) => (storedCount.get(key(r.writer, r.seq)) ?? 0) > 1).map((r) => r.seq);
  return {
    attempts: attempts.length,
    acked: attempts.filter((a) => a.outcome === 'acked').length,
    uncertain: attempts.filter((a) => a.outcome === 'uncertain').length,
    failed: attempts.filter((a) => a.outcome === 'failed').length,
    stored: mine.length,
    lost: sortedUnique(attempts.filter((a) => a.outcome === 'acked' && !stored(a)).map((a) => a.seq)),
    duplicated: sortedUnique(duplicated),
    // Only acknowledged writes promise an order: an abandoned (uncertain) INSERT may still
    // reach the server after a network heal and commit behind later writes, which is allowed.
    outOfOrder: countOutOfOrder(mine.filter((r) => attempted.get(key(r.writer, r.seq))?.outcome === 'acked')),
    unexpected: sortedUnique(mine.filter((r) => !attempted.has(key(r.writer, r.seq))).map((r) => r.seq)),
    failedButStored: sortedUnique(attempts.filter((a) => a.outcome === 'failed' && stored(a)).map((a) => a.seq)),
    uncertainStored: attempts.filter((a) => a.outcome === 'uncertain' && stored(a)).length,
  };
}

function countOutOfOrder(rows: readonly StoredRow[]): number {
  const byWriter = new Map<string, StoredRow[]>();
  for (const row of rows) {
    const list = byWriter.get(row.writer) ?? [];
    list.push(row);
    byWriter.set(row.writer, list);
  }
  let count = 0;
  for (const list of byWriter.values()) {
    const sorted = [...list].sort((a, b) => a.id - b.id);
    for (let i = 1; i < sorted.length; i += 1) {
      if ((sorted[i]?.seq ?? 0) <= (sorted[i - 1]?.seq ?? 0)) count += 1;
    }
  }
  return count;
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
