import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn, parseSegmentName, segmentFileName } from './lsn.js';

const MiB16 = 16 * 2 ** 20;

describe('LSNs and segment names', () => {
  it('parses and formats LSNs as (hi << 32) + lo', () => {
    expect(parseLsn('0/3016D10')).toBe(0x3016d10);
    expect(parseLsn(' 1/0 ')).toBe(2 ** 32);
    expect(parseLsn('A/FFFFFFFF')).toBe(10 * 2 ** 32 + 0xffffffff);
    expect(formatLsn(10 * 2 ** 32 + 0xffffffff)).toBe('A/FFFFFFFF');
    expect(formatLsn(0x3016d10)).toBe('0/3016D10');
    expect(parseLsn('3016D10')).toBeUndefined();
    expect(parseLsn('')).toBeUndefined();
  });

  it('reads timeline and segment number from file names, per segment size', () => {
    expect(parseSegmentName('000000010000000000000003.partial', MiB16)).toEqual({ name: '000000010000000000000003', timeline: 1, segmentNo: 3, partial: true });
    expect(parseSegmentName('0000000200000001000000FF', MiB16)).toMatchObject({ timeline: 2, segmentNo: 256 + 255, partial: false });
    expect(parseSegmentName('000000010000000100000001', 2 ** 30)).toMatchObject({ segmentNo: 4 + 1 });
    expect(parseSegmentName('00000002.history', MiB16)).toBeUndefined();
    expect(segmentFileName(2, 256 + 255, MiB16)).toBe('0000000200000001000000FF');
  });
});
