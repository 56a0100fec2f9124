import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, TandemError } from '../errors.js';
import { CONFIG_FILE_BYTES_MAX, loadConfigFile, parseConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-load-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Nine levels of ten aliases each: a billion `lol`s if anything expands it. */
export const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name, i) => {
    const prev = String.fromCharCode('a'.charCodeAt(0) + i);
    return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`;
  }),
  '',
].join('\n');

async function refusal(load: () => Promise<unknown>): Promise<TandemError> {
  const error = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TandemError);
  const e = error as TandemError;
  expect(e.exitCode).toBe(ExitCode.invalidConfig);
  return e;
}

describe('config input limits', () => {
  it('refuses a FIFO at once, naming the file and the fix', async () => {
    const fifo = join(dir, 'tandem.yaml.fifo');
    execFileSync('mkfifo', [fifo]);
    // Reading a FIFO with no writer would block for ever: the test's own timeout catches a hang.
    const e = await refusal(() => loadConfigFile(fifo));
    expect(e.message).toContain(fifo);
    expect(e.problems[0]?.message).toMatch(/not a regular file \(a FIFO\)/);
    expect(e.problems[0]?.fix).toMatch(/regular file/);
  }, 5000);

  it('refuses a directory as not a regular file', async () => {
    const e = await refusal(() => loadConfigFile(dir));
    expect(e.problems[0]?.message).toMatch(/not a regular file \(a directory\)/);
  });

  it('refuses a 2 MiB file without parsing it, naming the limit', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `cluster: demo\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const e = await refusal(() => loadConfigFile(big));
    expect(e.message).toContain(big);
    expect(e.problems[0]?.message).toBe(`larger than ${CONFIG_FILE_BYTES_MAX} bytes`);
    expect(e.problems[0]?.fix).toMatch(/is this the right file/);
  });

  it('refuses a YAML alias bomb (billion laughs) as an invalid config', async () => {
    const e = await refusal(async () => parseConfig(BILLION_LAUGHS, 'bomb.yaml'));
    expect(e.message).toContain('bomb.yaml');
    expect(e.problems[0]?.message).toMatch(/aliases/);
  });

  it('refuses an alias bomb read from a file too', async () => {
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, BILLION_LAUGHS);
    await refusal(() => loadConfigFile(bomb));
  });
});
