import { describe, expect, it } from 'vitest';
import { replyLines } from './watch-restore.js';

describe('replyLines: redis-cli replies as the lab runner returns them', () => {
  it('keeps the last reply, which has no newline after it', () => {
    expect(replyLines('s1\n1\n0')).toEqual(['s1', '1', '0']);
  });

  it('reads a nil in the middle as an empty reply', () => {
    expect(replyLines('s1\n\n0')).toEqual(['s1', '', '0']);
  });

  it('leaves trailing nils absent rather than inventing values', () => {
    const [node, epoch, soleCopy] = replyLines('\n');
    expect([node, epoch, soleCopy]).toEqual(['', '', undefined]);
  });
});
