import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, Errors } from '@oclif/core';
import { TandemError } from '@tandem/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BaseCommand } from './base-command.js';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

class Boom extends BaseCommand<typeof Boom> {
  static override summary = 'fails on purpose';
  async run(): Promise<never> {
    throw new TypeError('kaput');
  }
}

class Refuse extends BaseCommand<typeof Refuse> {
  static override summary = 'fails like an operator error';
  async run(): Promise<never> {
    throw new TandemError('storeUnavailable', 'cannot reach redis', { problems: [{ path: 'store.host', message: 'connection refused', fix: 'start redis' }] });
  }
}

class Ok extends BaseCommand<typeof Ok> {
  async run(): Promise<{ answer: number; level: string }> {
    return { answer: 42, level: this.flags['log-level'] };
  }
}

let config: Config;
beforeAll(async () => {
  config = await Config.load({ root: cliRoot });
});

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  // oclif's ux.stdout (used by this.log and --json) writes through console.log.
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (out += `${parts.map(String).join(' ')}\n`));
  return { out: () => out, err: () => err };
}

async function exitOf(run: Promise<unknown>): Promise<number | undefined> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(Errors.ExitError);
  return (error as Errors.ExitError).oclif.exit;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('BaseCommand error handling', () => {
  it('an unexpected error exits 1 with its message and no stack by default', async () => {
    const io = capture();
    const code = await exitOf(Boom.run([], config));
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toBe('Error: kaput\n');
    expect(io.out()).toBe('');
  });

  it('--log-level debug adds the stack of an unexpected error', async () => {
    const io = capture();
    const code = await exitOf(Boom.run(['--log-level', 'debug'], config));
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^Error: kaput\nTypeError: kaput\n\s+at /);
  });

  it('a TandemError exits with its code, problems on stderr, never a stack', async () => {
    const io = capture();
    const code = await exitOf(Refuse.run(['--log-level', 'debug'], config));
    vi.restoreAllMocks();
    expect(code).toBe(6);
    expect(io.err()).toBe('Error: cannot reach redis\n  - store.host: connection refused (fix: start redis)\n');
  });

  it('with --json the error is one JSON document on stdout and nothing on stderr', async () => {
    const io = capture();
    const code = await exitOf(Refuse.run(['--json'], config));
    vi.restoreAllMocks();
    expect(code).toBe(6);
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out())).toEqual({
      error: { kind: 'storeUnavailable', exitCode: 6, message: 'cannot reach redis', problems: [{ path: 'store.host', message: 'connection refused', fix: 'start redis' }] },
    });
  });

  it('run()\'s value is the --json payload; flags are parsed and typed', async () => {
    const io = capture();
    const result = await Ok.run(['--json', '--log-level', 'info'], config);
    vi.restoreAllMocks();
    expect(result).toEqual({ answer: 42, level: 'info' });
    expect(JSON.parse(io.out())).toEqual({ answer: 42, level: 'info' });
  });
});
