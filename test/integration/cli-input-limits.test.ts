import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@tandem/core';
import { CliSandbox, ensureBuilt } from './cli-support.js';

/** Nine levels of nine aliases each: hundreds of millions of strings if anything expands it. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name, i) => `${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`),
  '',
].join('\n');

let cli: CliSandbox;
let dir: string;
beforeAll(() => {
  ensureBuilt();
  cli = new CliSandbox();
  dir = mkdtempSync(join(tmpdir(), 'tandem-cli-limits-'));
});
afterAll(() => {
  cli?.cleanup();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('config input limits: the CLI exits with invalidConfig', () => {
  it('a FIFO as the config file (config validate, status)', () => {
    const fifo = join(dir, 'tandem.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const args of [['config', 'validate', fifo], ['status', '-c', fifo]]) {
      const r = cli.run(args);
      expect(r.code).toBe(ExitCode.invalidConfig);
      expect(r.stderr).toContain(`cannot read config file ${fifo}`);
      expect(r.stderr).toContain('not a regular file (a FIFO)');
    }
  });

  it('a 2 MiB config file', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `cluster: demo\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const r = cli.run(['config', 'validate', big]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('larger than 1048576 bytes');
  });

  it('a billion-laughs YAML document', () => {
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, BILLION_LAUGHS);
    const r = cli.run(['config', 'validate', bomb]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain(`${bomb} is not valid YAML`);
  });
});
