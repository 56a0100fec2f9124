import { describe, expect, it } from 'vitest';
import { leaseResultFrom, parsePrimaryReply, parseRecordPrimaryReply } from './redis-replies.js';

describe('primary record replies', () => {
  it('reads an absent record as undefined and a whole one as numbers', () => {
    expect.hasAssertions();
    expect(parsePrimaryReply([null, null, null, null])).toBeUndefined();
    expect(parsePrimaryReply(['db1', '7', '1767225600000', null])).toEqual({ node: 'db1', epoch: 7, atWallMs: 1_767_225_600_000 });
    expect(parsePrimaryReply(['db1', '7', '1', '0'])).toEqual({ node: 'db1', epoch: 7, atWallMs: 1 });
    expect(parsePrimaryReply(['db1', '7', '1', '1'])).toEqual({ node: 'db1', epoch: 7, atWallMs: 1, soleCopy: true });
  });

  it('throws on a partial, foreign or non-numeric record rather than guessing', () => {
    expect.hasAssertions();
    const bad = [['db1', null, null, null], [null, '7', '1', null], ['db1', 'seven', '1', null], ['db1', '1.5', '1', null], ['', '7', '1', null], ['db1', '7', 'x', null]];
    for (const reply of [...bad, [null, null, null, '1'], ['db1', '7', '1', 'yes'], ['db1', '7', '1'], 'OK', null]) {
      expect(() => parsePrimaryReply(reply)).toThrow(/unexpected redis reply for primary record/);
    }
  });

  it('reads the script answer 1/0 and nothing else', () => {
    expect.hasAssertions();
    expect(parseRecordPrimaryReply(1)).toBe(true);
    expect(parseRecordPrimaryReply(0)).toBe(false);
    expect(() => parseRecordPrimaryReply('1')).toThrow(/record-primary script/);
  });
});

describe('lease replies', () => {
  it("reads the acquire script's fifth element: another process under the caller's node name", () => {
    expect.hasAssertions();
    expect(leaseResultFrom([1, 'db1', 3, 9000, 0])).toEqual({ acquired: true, lease: { holder: 'db1', epoch: 3, remainingMs: 9000 } });
    expect(leaseResultFrom([0, 'db1', 3, 9000, 1])).toEqual({ acquired: false, current: { holder: 'db1', epoch: 3, remainingMs: 9000 }, heldByOtherProcess: true });
    expect(leaseResultFrom([0, 'db2', 3, 9000, 0])).toEqual({ acquired: false, current: { holder: 'db2', epoch: 3, remainingMs: 9000 } });
    // The renew script answers four elements, never the flag.
    expect(leaseResultFrom([0, 'db1', 3, 9000])).toEqual({ acquired: false, current: { holder: 'db1', epoch: 3, remainingMs: 9000 } });
    expect(() => leaseResultFrom([0, 'db1', 3, 9000, 'yes'])).toThrow(/lease script/);
    expect(() => leaseResultFrom([0, 'db1', 3])).toThrow(/lease script/);
  });
});
