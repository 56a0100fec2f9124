import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScanStop, parseRecordLine, recordEnd } from './wal-end.js';

const MIB = 2 ** 20;
/** Real pg_waldump output captured from a PostgreSQL 15 cluster with 1 MiB segments (crosses pages and the 0/E00000 segment boundary). */
const realDump = readFileSync(new URL('./test-fixtures/waldump-pg15-1mib.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('rmgr:'));

describe('recordEnd', () => {
  it('ends every real record where the next one starts (or at the page boundary before its header)', () => {
    const records = realDump.map((l) => parseRecordLine(l)!);
    expect(records.length).toBeGreaterThan(30);
    let crossings = 0;
    let segmentCrossed = false;
    for (let i = 0; i + 1 < records.length; i++) {
      const { lsn, totalBytes } = records[i]!;
      const end = recordEnd(lsn, totalBytes, MIB);
      const next = records[i + 1]!.lsn;
      if (Math.floor(lsn / 8192) !== Math.floor((next - 1) / 8192)) crossings++;
      if (Math.floor(lsn / MIB) !== Math.floor(next / MIB)) segmentCrossed = true;
      const header = end % MIB === 0 ? 40 : end % 8192 === 0 ? 24 : 0;
      expect(next, `record at ${lsn.toString(16)} (${totalBytes} bytes)`).toBe(end + header);
    }
    expect(crossings, 'the sample must cross pages').toBeGreaterThanOrEqual(2);
    expect(segmentCrossed, 'the sample must cross a segment boundary').toBe(true);
  });

  it('adds the long header when a record crosses into a new segment', () => {
    // 100 bytes left on the segment's last page, a 300-byte record: 200 bytes after the 40-byte header.
    expect(recordEnd(MIB - 100, 300, MIB)).toBe(MIB + 40 + 200);
    expect(recordEnd(8192 - 8, 16, MIB)).toBe(8192 + 24 + 8);
    expect(recordEnd(1000, 35, MIB)).toBe(1040);
  });
});

describe('parseScanStop (PostgreSQL 15 pg_waldump messages seen on a real cluster)', () => {
  it('takes the last whole record from "error in WAL record at", never the old page address in the reason', () => {
    const s = parseScanStop('pg_waldump: error: error in WAL record at 0/D9FEF0: unexpected pageaddr 0/9A0000 in log segment 00000001000000000000000D, offset 655360');
    expect(s).toEqual({ kind: 'after-record', lastGood: 0xd9fef0, reason: 'unexpected pageaddr 0/9A0000 in log segment 00000001000000000000000D, offset 655360' });
    expect(parseScanStop('pg_waldump: error: error in WAL record at 0/EC4508: invalid record length at 0/EC4530: wanted 24, got 0')).toMatchObject({ kind: 'after-record', lastGood: 0xec4508 });
    expect(parseScanStop('pg_waldump: error: error in WAL record at 0/D9FEF0: invalid magic number 0000 in log segment 00000001000000000000000D, offset 655360')).toMatchObject({ kind: 'after-record', lastGood: 0xd9fef0 });
  });

  it('recognises no record at the start, a missing next segment, and anything else as unknown', () => {
    expect(parseScanStop('pg_waldump: error: could not find a valid record after 0/EC4530')).toEqual({ kind: 'no-record', at: 0xec4530 });
    expect(parseScanStop('pg_waldump: error: could not find file "00000001000000000000000E": No such file or directory')).toEqual({ kind: 'missing-file', file: '00000001000000000000000E' });
    expect(parseScanStop('pg_waldump: error: something new').kind).toBe('unknown');
  });

  it('reads a record line', () => {
    expect(parseRecordLine('rmgr: Transaction len (rec/tot):     34/    34, tx:        732, lsn: 0/00EC4508, prev 0/00EC4398, desc: COMMIT 2026-12-01')).toEqual({ lsn: 0xec4508, totalBytes: 34 });
    expect(parseRecordLine('first record is after 0/EC44F0')).toBeUndefined();
  });
});
