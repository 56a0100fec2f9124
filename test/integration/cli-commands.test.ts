import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@tandem/core';
import { CliSandbox, builtInPlugins, cliDir, ensureBuilt } from './cli-support.js';

/** The commands this package owns; each must document itself with at least one example. */
const ownCommands = ['config validate', 'config explain', 'config schema', 'ha-plugins', 'version', 'volume plan', 'volume apply', 'volume status'];

let cli: CliSandbox;
beforeAll(() => {
  ensureBuilt();
  cli = new CliSandbox();
});
afterAll(() => cli?.cleanup());

describe('tandem ha-plugins', () => {
  interface Row { id: string; packageName: string; version: string; contracts: string[]; description: string; directory: string; origin: string; error?: string }

  it('--json lists the built-in plugins with contracts, version, description and origin', () => {
    const { code, body, stderr } = cli.json<{ plugins: Row[]; searched: string[] }>(['ha-plugins']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const byId = new Map(body.plugins.map((p) => [p.id, p]));
    for (const id of builtInPlugins) {
      const row = byId.get(id);
      expect(row, `${id} is listed`).toBeDefined();
      expect(row?.error).toBeUndefined();
      expect(row?.origin).toBe('built-in');
      expect(row?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(row?.description.length).toBeGreaterThan(0);
      expect(row?.packageName).toBe(`@tandem/plugin-${id}`);
    }
    expect(byId.get('probe-tcp')?.contracts).toContain('HealthProbe');
    expect(byId.get('fence-exec')?.contracts).toContain('Fencer');
    expect(byId.get('fence-ipmi')?.contracts).toContain('Fencer');
    expect(byId.get('resource-process')?.contracts).toContain('ResourceAgent');
    expect(body.searched[0]).toContain(cli.dir);
  });

  it('prints a table for people', () => {
    const r = cli.run(['ha-plugins']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+VERSION\s+CONTRACTS\s+ORIGIN\s+DESCRIPTION$/m);
    expect(r.stdout).toMatch(/^probe-tcp\s+\S+\s+HealthProbe/m);
  });
});

describe('tandem plugins (oclif) still works next to ha-plugins', () => {
  it('plugins --json exits 0 with a JSON list', () => {
    const r = cli.run(['plugins', '--json']);
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });
});

describe('tandem version', () => {
  it('--json gives tandem, node and platform', () => {
    const { code, body } = cli.json<{ tandem: string; node: string; platform: string; arch: string }>(['version']);
    expect(code).toBe(0);
    expect(body).toEqual({ tandem: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version, platform: process.platform, arch: process.arch });
  });
});

describe('usage errors exit 2', () => {
  it('an unknown flag: message on stderr, no stack', () => {
    const r = cli.run(['version', '--no-such-flag']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Nonexistent flag: --no-such-flag');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown flag with --json: { error } on stdout with kind usage', () => {
    const { code, body } = cli.json<{ error: { kind: string; exitCode: number; message: string; problems: unknown[] } }>(['config', 'validate', 'examples/demo.yaml', '--bogus']);
    expect(code).toBe(ExitCode.usage);
    expect(body.error).toMatchObject({ kind: 'usage', exitCode: 2, problems: [] });
    expect(body.error.message).toContain('--bogus');
  });

  it('a value outside the allowed options', () => {
    const r = cli.run(['version', '--log-level', 'loud']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toContain('loud');
  });

  it('an unexpected extra argument', () => {
    const r = cli.run(['config', 'validate', 'examples/demo.yaml', 'extra.yaml']);
    expect(r.stderr).toContain('Unexpected argument: extra.yaml');
    expect(r.code).toBe(ExitCode.usage);
  });
});

describe('help', () => {
  it.each(ownCommands)('tandem %s --help has a description and an example', (command) => {
    const r = cli.run([...command.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DESCRIPTION');
    expect(r.stdout).toContain('EXAMPLES');
    expect(r.stdout).toContain(`$ tandem ${command}`);
  });
});

describe('command interface snapshot', () => {
  it('commands, their args and flags are unchanged (update the snapshot on purpose only)', () => {
    // Loaded in a plain Node process: inside vitest, imports would resolve to the TypeScript sources.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', DUMP_INTERFACE], { cwd: cliDir, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { ids, own } = JSON.parse(r.stdout) as { ids: string[]; own: { id: string }[] };
    expect({ ids, own }).toMatchSnapshot();
    for (const id of ownCommands.map((c) => c.replace(' ', ':'))) expect(ids).toContain(id);
  });
});

/** Prints every command id, and for our own commands the args and flags: the interface scripts depend on. */
const DUMP_INTERFACE = `
import { Config } from '@oclif/core';
const config = await Config.load({ root: process.cwd() });
const ids = [...config.commandIDs].sort();
const own = config.commands
  .filter((c) => c.pluginName === '@tandem/cli')
  .sort((a, b) => a.id.localeCompare(b.id))
  .map((c) => ({
    id: c.id,
    enableJsonFlag: c.enableJsonFlag ?? false,
    args: Object.fromEntries(Object.entries(c.args).map(([name, a]) => [name, { required: a.required ?? false }])),
    flags: Object.fromEntries(
      Object.entries(c.flags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, f]) => [name, { type: f.type, char: f.char ?? null, default: f.default ?? null, options: f.options ?? null, env: f.env ?? null }]),
    ),
  }));
process.stdout.write(JSON.stringify({ ids, own }));
`;
