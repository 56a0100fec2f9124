import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMirror, parseWaldumpEnd, readMirrorEnd, withoutPageHeader } from './mirror-end.js';

const MiB16 = 16 * 2 ** 20;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-mirror-end-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mirror(name: string, files: Record<string, number>): Promise<string> {
  const d = join(dir, name);
  await mkdir(d);
  for (const [f, size] of Object.entries(files)) {
    await writeFile(join(d, f), '');
    await truncate(join(d, f), size);
  }
  return d;
}

describe('the end of the mirrored WAL', () => {
  it('takes it from pg_waldump\'s stop, on zero padding or a zero page header', () => {
    expect(parseWaldumpEnd('pg_waldump: error: error in WAL record at 0/3017448: invalid record length at 0/3017470: wanted 24, got 0', MiB16)).toEqual({ kind: 'end', offset: 0x3017470 });
    expect(parseWaldumpEnd('pg_waldump: error: error in WAL record at 0/3003FC8: invalid magic number 0000 in log segment 000000010000000000000003, offset 16384', MiB16)).toEqual({ kind: 'end', offset: 0x3000000 + 16384 });
    expect(parseWaldumpEnd('pg_waldump: error: could not find a valid record after 0/4000000', MiB16)).toEqual({ kind: 'no-record' });
    expect(parseWaldumpEnd('pg_waldump: error: could not open file "x": Permission denied', MiB16).kind).toBe('unknown');
  });

  it('compares with replay at a page boundary, not after the next page header', () => {
    expect(withoutPageHeader(0x3002018, MiB16)).toBe(0x3002000);
    expect(withoutPageHeader(0x4000028, MiB16)).toBe(0x4000000);
    expect(withoutPageHeader(0x3017470, MiB16)).toBe(0x3017470);
    expect(parseWaldumpEnd('pg_waldump: error: error in WAL record at 0/3001FD0: invalid record length at 0/3002018: wanted 24, got 0', MiB16)).toEqual({ kind: 'end', offset: 0x3002000 });
  });

  it('lists the newest segment (partial or not) and the one before it; an empty or odd mirror is an error', async () => {
    const d = await mirror('a', { '000000010000000000000002': MiB16, '000000010000000000000003.partial': MiB16, 'tandem.pid': 5 });
    const listed = await listMirror(d);
    expect(listed.ok && listed.value.newest).toMatchObject({ name: '000000010000000000000003', partial: true });
    expect(listed.ok && listed.value.previous?.name).toBe('000000010000000000000002');
    expect(await listMirror(await mirror('empty', {}))).toEqual({ ok: false, why: expect.stringMatching(/holds no WAL segment/) });
    expect(await listMirror(await mirror('odd', { '000000010000000000000003.partial': 1000 }))).toEqual({ ok: false, why: expect.stringMatching(/not a WAL segment size/) });
    expect((await listMirror(join(dir, 'nope'))).ok).toBe(false);
  });

  it('reads the previous segment too when the newest holds only the tail of a record', async () => {
    const d = await mirror('b', { '000000010000000000000002': MiB16, '000000010000000000000003.partial': MiB16 });
    const calls: string[] = [];
    const end = await readMirrorEnd(d, async (_p, start, last) => {
      calls.push([start, last].filter(Boolean).join(' '));
      return { ok: true, value: { stderr: last === undefined ? 'pg_waldump: error: could not find a valid record after 0/3000000' : 'pg_waldump: error: error in WAL record at 0/3000010: invalid record length at 0/3000060: wanted 24, got 0' } };
    });
    expect(calls).toEqual(['000000010000000000000003', '000000010000000000000002 000000010000000000000003']);
    expect(end.ok && end.value.end).toBe(0x3000060);
  });
});
