import { parseLsn } from '@tandem/plugin-transport-wal-mirror';

const PAGE_BYTES = 8192;
/** Page header sizes after MAXALIGN: the first page of a segment has the long header. */
const SHORT_PAGE_HEADER_BYTES = 24;
const LONG_PAGE_HEADER_BYTES = 40;
const MAXALIGN = 8;

/**
 * Where a WAL record that starts at `start` and is `totalBytes` long ends, as
 * replay reports it (pg_last_wal_replay_lsn): the record's bytes continue
 * after each page header they cross, and the end is rounded up to MAXALIGN.
 */
export function recordEnd(start: number, totalBytes: number, segmentBytes: number): number {
  let pos = start;
  let left = totalBytes;
  for (;;) {
    const pageEnd = (Math.floor(pos / PAGE_BYTES) + 1) * PAGE_BYTES;
    if (left <= pageEnd - pos) {
      pos += left;
      break;
    }
    left -= pageEnd - pos;
    pos = pageEnd + (pageEnd % segmentBytes === 0 ? LONG_PAGE_HEADER_BYTES : SHORT_PAGE_HEADER_BYTES);
  }
  return Math.ceil(pos / MAXALIGN) * MAXALIGN;
}

/** How a `pg_waldump -q -s <from>` run over the array's pg_wal ended. */
export type ScanStop =
  /** Reading the record after `lastGood` failed (torn record, bad CRC, zeros, a page of an older segment, ...). */
  | { readonly kind: 'after-record'; readonly lastGood: number; readonly reason: string }
  /** Not one valid record at or after the start: nothing beyond it. */
  | { readonly kind: 'no-record'; readonly at: number }
  /** The next segment's file does not exist. */
  | { readonly kind: 'missing-file'; readonly file: string }
  | { readonly kind: 'unknown'; readonly text: string };

/**
 * pg_waldump always stops with an error on live WAL; the error says why.
 * "error in WAL record at A: <reason>" names the last record it read whole
 * (its ReadRecPtr): the WAL is valid up to that record's end, whatever the
 * reason (the reason's own LSNs may be an old page's address, so they are
 * not used). Messages as PostgreSQL 15's pg_waldump prints them (checked on
 * a real cluster: see wal-end.test.ts).
 */
export function parseScanStop(stderr: string): ScanStop {
  const text = stderr.trim();
  const after = /error in WAL record at ([0-9A-F]{1,8}\/[0-9A-F]{1,8}): (.*)/.exec(text);
  if (after) return { kind: 'after-record', lastGood: parseLsn(after[1]!)!, reason: after[2]! };
  const none = /could not find a valid record after ([0-9A-F]{1,8}\/[0-9A-F]{1,8})/.exec(text);
  if (none) return { kind: 'no-record', at: parseLsn(none[1]!)! };
  const missing = /could not (?:find|open) file "([0-9A-F]{24})"/.exec(text);
  if (missing) return { kind: 'missing-file', file: missing[1]! };
  return { kind: 'unknown', text: text.slice(-400) };
}

/** One record line of pg_waldump: its start and total length. */
export interface DumpedRecord {
  readonly lsn: number;
  readonly totalBytes: number;
}

/** `rmgr: Heap len (rec/tot): 63/ 63, tx: 731, lsn: 0/00DB5228, prev 0/00DB51E8, desc: ...` */
export function parseRecordLine(stdout: string): DumpedRecord | undefined {
  const m = /len \(rec\/tot\):\s*\d+\/\s*(\d+),.*?lsn: ([0-9A-F]{1,8}\/[0-9A-F]{1,8})/.exec(stdout);
  if (!m) return undefined;
  const lsn = parseLsn(m[2]!);
  return lsn === undefined ? undefined : { lsn, totalBytes: Number(m[1]) };
}
