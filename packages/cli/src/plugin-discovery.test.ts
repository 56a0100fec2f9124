import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TandemError } from '@tandem/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverPlugins, discoveryRoots } from './plugin-discovery.js';
import { resolveConfigPath } from './config-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-discovery-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakePlugin(nodeModules: string, name: string, id: string, version = '1.0.0'): Promise<void> {
  const pkgDir = join(nodeModules, ...name.split('/'));
  await mkdir(pkgDir, { recursive: true });
  await writeFile(join(pkgDir, 'package.json'), JSON.stringify({ name, version, tandem: { plugin: true, id } }));
}

describe('discoveryRoots', () => {
  it('searches the data dir first, then node_modules from the CLI up to /', () => {
    const roots = discoveryRoots({ root: '/opt/tandem/lib/cli', dataDir: '/home/op/.local/share/tandem', pjson: {} });
    expect(roots).toEqual([
      { dir: '/home/op/.local/share/tandem/node_modules', origin: 'installed' },
      { dir: '/opt/tandem/lib/cli/node_modules', origin: 'built-in' },
      { dir: '/opt/tandem/lib/node_modules', origin: 'built-in' },
      { dir: '/opt/tandem/node_modules', origin: 'built-in' },
      { dir: '/opt/node_modules', origin: 'built-in' },
      { dir: '/node_modules', origin: 'built-in' },
    ]);
  });
});

describe('discoverPlugins', () => {
  it('marks the CLI\'s dependencies built-in and everything else installed; the data dir wins', async () => {
    const root = join(dir, 'app', 'cli');
    const dataDir = join(dir, 'data');
    await fakePlugin(join(dir, 'app', 'node_modules'), '@tandem/plugin-probe-tcp', 'probe-tcp', '0.1.0');
    await fakePlugin(join(dir, 'app', 'node_modules'), 'tandem-fence-redfish', 'fence-redfish');
    await fakePlugin(join(dataDir, 'node_modules'), '@tandem/plugin-probe-tcp', 'probe-tcp', '0.2.0');
    await fakePlugin(join(dataDir, 'node_modules'), '@acme/tandem-probe-pg', 'probe-pg');
    const catalog = await discoverPlugins({ root, dataDir, pjson: { dependencies: { '@tandem/plugin-probe-tcp': '0.1.0' } } });
    const rows = catalog.list().map((p) => [p.id, p.version, p.origin]);
    expect(rows).toEqual([
      ['fence-redfish', '1.0.0', 'installed'],
      ['probe-pg', '1.0.0', 'installed'],
      // Upgraded with `tandem plugins install`: the data dir's copy is used.
      ['probe-tcp', '0.2.0', 'installed'],
    ]);
  });

  it('refuses two different packages claiming one id, naming both', async () => {
    const root = join(dir, 'cli');
    await fakePlugin(join(dir, 'data', 'node_modules'), '@acme/fence-x', 'fence-x');
    await fakePlugin(join(root, 'node_modules'), '@other/fence-x', 'fence-x');
    const error = await discoverPlugins({ root, dataDir: join(dir, 'data'), pjson: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect((error as TandemError).exitCode).toBe(4);
    expect((error as TandemError).problems[0]?.message).toContain('@acme/fence-x');
    expect((error as TandemError).problems[0]?.message).toContain('@other/fence-x');
  });
});

describe('resolveConfigPath', () => {
  it('prefers the argument, then $TANDEM_CONFIG, then ./tandem.yaml', () => {
    expect(resolveConfigPath('a.yaml', { TANDEM_CONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(resolveConfigPath(undefined, { TANDEM_CONFIG: 'b.yaml' })).toBe('b.yaml');
    expect(resolveConfigPath(undefined, { TANDEM_CONFIG: '' })).toBe('tandem.yaml');
    expect(resolveConfigPath(undefined, {})).toBe('tandem.yaml');
  });
});
