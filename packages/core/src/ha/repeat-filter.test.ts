import { describe, expect, it } from 'vitest';
import { RepeatFilter } from './repeat-filter.js';

describe('RepeatFilter', () => {
  it('disk full under the embedded store: the same line every cycle is logged once per window, with a count', () => {
    const f = new RepeatFilter(10_000);
    const logged = Array.from({ length: 1600 }, (_, i) => f.admit('no action: store unreachable (SQLITE_FULL)', i * 10)).filter((x) => x !== undefined);
    expect(logged).toEqual(['no action: store unreachable (SQLITE_FULL)', 'no action: store unreachable (SQLITE_FULL) (repeated 999 more times since)']);
  });

  it('a different line is logged at once, and the old one counts afresh', () => {
    const f = new RepeatFilter(10_000);
    expect(f.admit('a', 0)).toBe('a');
    expect(f.admit('a', 1)).toBeUndefined();
    expect(f.admit('b', 2)).toBe('b');
    expect(f.admit('a', 3)).toBe('a');
  });
});
