import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '@tandem/core';
import { repoRoot } from './cli-support.js';

describe('docs/exit-codes.md', () => {
  it('documents exactly the codes in ExitCode, with the same numbers', () => {
    const text = readFileSync(join(repoRoot, 'docs/exit-codes.md'), 'utf8');
    const rows = [...text.matchAll(/^\|\s*(\d+)\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => [m[2], Number(m[1])] as const);
    expect(Object.fromEntries(rows)).toEqual({ ...ExitCode });
    expect(rows.length).toBe(Object.keys(ExitCode).length);
  });
});
