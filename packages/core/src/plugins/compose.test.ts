import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { TandemError } from '../errors.js';
import { PluginCatalog } from './catalog.js';
import { compose, validateInstances } from './compose.js';

// Fixture plugins live in a real node_modules folder inside the repo so that
// their own `import 'zod'` resolves exactly as a third-party package's would.
let root: string;
let catalog: PluginCatalog;

const probeSource = (id: string): string => `
import { ContainerModule } from 'inversify';
import { z } from 'zod';
const HealthProbe = Symbol.for('tandem.HealthProbe');
export default {
  id: '${id}', version: '1.2.3', description: 'fixture probe', provides: ['HealthProbe'],
  options: z.strictObject({ port: z.number().int(), label: z.string().default('x') }),
  nicRoles: ['public'],
  requires: () => [{ file: 'true', why: 'fixture' }],
  module: (inst) => new ContainerModule(({ bind }) => {
    bind(HealthProbe).toConstantValue({ dimension: 'network', defaultTimeoutMs: 100, instanceId: inst.id, port: inst.options.port,
      check: async () => ({ code: 'ok', reason: 'fixture' }) });
  }),
};`;

async function writePackage(name: string, id: string, source: string): Promise<void> {
  const dir = join(root, 'node_modules', name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', main: 'index.js', tandem: { plugin: true, id } }));
  await writeFile(join(dir, 'index.js'), source);
}

beforeAll(async () => {
  await mkdir(join(process.cwd(), '.tmp'), { recursive: true });
  root = await mkdtemp(join(process.cwd(), '.tmp', 'catalog-'));
  await writePackage('fixture-probe', 'fixture-probe', probeSource('fixture-probe'));
  await writePackage('@acme/broken', 'broken', 'throw new Error("boom at import");');
  await writePackage('not-a-manifest', 'not-a-manifest', 'export default { hello: 1 };');
  await writePackage('liar', 'liar', probeSource('someone-else'));
  await mkdir(join(root, 'node_modules', 'plain'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'plain', 'package.json'), '{"name":"plain"}');
  catalog = await PluginCatalog.discover([{ dir: join(root, 'node_modules'), origin: 'installed' }]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (checks: string, extra = ''): ReturnType<typeof parseConfig>['config'] =>
  parseConfig(`
cluster: t
nodes:
  a: { nics: { public: 127.0.0.11 }${extra} }
  b: { nics: { public: 127.0.0.12 } }
probes:
  checks:
${checks}
`).config;

async function problems(p: Promise<unknown>): Promise<string[]> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TandemError);
  return (error as TandemError).problems.map((x) => `${x.path}: ${x.message}`);
}

describe('plugin catalog and composition', () => {
  it('finds only packages that declare themselves Tandem plugins', () => {
    expect(catalog.list().map((p) => p.id)).toEqual(['broken', 'fixture-probe', 'liar', 'not-a-manifest']);
    expect(catalog.find('@acme/broken')?.id).toBe('broken');
  });

  it('composes two instances of one plugin with their own options', async () => {
    const c = config('    - { id: p1, plugin: fixture-probe, options: { port: 1 } }\n    - { id: p2, plugin: fixture-probe, options: { port: 2 } }');
    const composition = await compose(c, 'a', catalog, new Container());
    const probes = composition.probes.map((p) => ({ id: p.id, port: (p.impl as unknown as { port: number }).port }));
    expect(probes).toEqual([{ id: 'p1', port: 1 }, { id: 'p2', port: 2 }]);
    expect(composition.requiredCommands).toHaveLength(2);
  });

  it('applies per-node overrides to options', async () => {
    const c = config('    - { id: p1, plugin: fixture-probe, options: { port: 1 } }', ', overrides: { p1: { options: { port: 9 } } }');
    const [onA] = (await compose(c, 'a', catalog, new Container())).probes;
    const [onB] = (await compose(c, 'b', catalog, new Container())).probes;
    expect((onA?.impl as unknown as { port: number }).port).toBe(9);
    expect((onB?.impl as unknown as { port: number }).port).toBe(1);
  });

  it('names the available plugins when one is unknown', async () => {
    const [p] = await problems(validateInstances(config('    - { id: p1, plugin: nope }'), 'a', catalog));
    expect(p).toBe('probes.checks[0].plugin: unknown plugin "nope"');
  });

  it('reports bad options under the instance path', async () => {
    const found = await problems(validateInstances(config('    - { id: p1, plugin: fixture-probe, options: { port: "x", extra: 1 } }'), 'a', catalog));
    expect(found).toEqual(['probes.checks[0].options.port: must be a number, not the string "x"', 'probes.checks[0].options.extra: unknown key "extra"']);
  });

  it('stops on a plugin that fails to load, that exports no manifest, or lies about its id', async () => {
    const found = await problems(
      validateInstances(config('    - { id: p1, plugin: broken }\n    - { id: p2, plugin: not-a-manifest }\n    - { id: p3, plugin: liar }'), 'a', catalog),
    );
    expect(found[0]).toMatch(/^probes\.checks\[0\]\.plugin: plugin "broken" \(@acme\/broken\) failed to load: boom at import$/);
    expect(found[1]).toMatch(/^probes\.checks\[1\]\.plugin: package not-a-manifest does not export a plugin manifest/);
    expect(found[2]).toMatch(/^probes\.checks\[2\]\.plugin: package liar declares id "liar" but its manifest says "someone-else"$/);
  });

  it('refuses a plugin in a section whose contract it does not provide', async () => {
    const c = parseConfig(`
cluster: t
nodes: { a: { nics: { public: 127.0.0.11 } } }
fencing: { levels: [[{ id: f1, plugin: fixture-probe, options: { port: 1 } }]] }
`).config;
    expect(await problems(validateInstances(c, 'a', catalog))).toEqual(['fencing.levels[0][0].plugin: plugin "fixture-probe" does not provide Fencer (it provides HealthProbe)']);
  });

  it('rejects two packages that claim the same id', async () => {
    await writePackage('fixture-probe-copy', 'fixture-probe', probeSource('fixture-probe'));
    const error = await PluginCatalog.discover([{ dir: join(root, 'node_modules'), origin: 'installed' }]).catch((e: unknown) => e);
    expect((error as TandemError).message).toBe('two packages declare the plugin id "fixture-probe"');
    await rm(join(root, 'node_modules', 'fixture-probe-copy'), { recursive: true });
  });
});

describe('fencers resolved per target', () => {
  it('uses the fenced node\'s overrides, not the fencing node\'s', async () => {
    const fixtureFencer = `
import { ContainerModule } from 'inversify';
import { z } from 'zod';
export default { id: 'fixture-fencer', version: '1.0.0', description: 'f', provides: ['Fencer'],
  options: z.strictObject({ cipher: z.number().default(17) }),
  module: (inst) => new ContainerModule(({ bind }) => { bind(Symbol.for('tandem.Fencer')).toConstantValue({ defaultTimeoutMs: 1, cipher: inst.options.cipher }); }) };`;
    await writePackage('fixture-fencer', 'fixture-fencer', fixtureFencer);
    const cat = await PluginCatalog.discover([{ dir: join(root, 'node_modules'), origin: 'installed' }]);
    const c = parseConfig(`
cluster: t
nodes:
  a: { nics: { public: 127.0.0.11 } }
  b: { nics: { public: 127.0.0.12 }, overrides: { bmc: { options: { cipher: 3 } } } }
  c: { nics: { public: 127.0.0.13 } }
fencing: { levels: [[{ id: bmc, plugin: fixture-fencer }]] }
`).config;
    const composition = await compose(c, 'a', cat, new Container());
    const cipherOf = (target: string): number => (composition.fencingByTarget.get(target)?.[0]?.[0]?.impl as unknown as { cipher: number }).cipher;
    expect(cipherOf('b')).toBe(3);
    expect(cipherOf('c')).toBe(17);
    expect(composition.fencingByTarget.has('a')).toBe(false);
  });
});
