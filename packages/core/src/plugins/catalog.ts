import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TandemError } from '../errors.js';
import { isPluginManifest, type PluginManifest } from './manifest.js';

/** A plugin package found on disk, before it is imported. */
export interface PluginPackage {
  /** The manifest id, from `tandem.id` in package.json. */
  readonly id: string;
  readonly packageName: string;
  readonly version: string;
  /** The package's directory: "where loaded from". */
  readonly directory: string;
  readonly origin: 'built-in' | 'installed';
}

/**
 * Finds plugin packages: any package in the given node_modules folders whose
 * package.json says `"tandem": { "plugin": true, "id": "..." }`. Built-ins are
 * found the same way as third-party packages, so there is one path to test.
 * A duplicate id is an error naming both packages.
 */
export class PluginCatalog {
  private constructor(private readonly byId: ReadonlyMap<string, PluginPackage>) {}

  static async discover(roots: readonly { dir: string; origin: PluginPackage['origin'] }[]): Promise<PluginCatalog> {
    const byId = new Map<string, PluginPackage>();
    const seenDirs = new Set<string>();
    for (const root of roots) {
      for (const pkg of await scanNodeModules(root.dir, root.origin)) {
        if (seenDirs.has(pkg.directory)) continue;
        seenDirs.add(pkg.directory);
        const other = byId.get(pkg.id);
        if (other && other.packageName !== pkg.packageName) {
          throw new TandemError('pluginError', `two packages declare the plugin id "${pkg.id}"`, {
            problems: [{ path: pkg.id, message: `${other.packageName} (${other.directory}) and ${pkg.packageName} (${pkg.directory})`, fix: 'uninstall one of them' }],
          });
        }
        if (!other) byId.set(pkg.id, pkg);
      }
    }
    return new PluginCatalog(byId);
  }

  static fromPackages(packages: readonly PluginPackage[]): PluginCatalog {
    return new PluginCatalog(new Map(packages.map((p) => [p.id, p])));
  }

  list(): PluginPackage[] {
    return [...this.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Look a plugin up by manifest id or by npm package name. */
  find(ref: string): PluginPackage | undefined {
    return this.byId.get(ref) ?? this.list().find((p) => p.packageName === ref);
  }

  /** Import the package and check that its default export is a manifest with the promised id. */
  async load(ref: string): Promise<PluginManifest> {
    const pkg = this.find(ref);
    if (!pkg) {
      throw new TandemError('pluginError', `unknown plugin "${ref}"`, {
        problems: [{ path: ref, message: `available: ${this.list().map((p) => p.id).join(', ') || '(none found)'}`, fix: 'use one of those ids, or install the package with `tandem plugins install <npm package>`' }],
      });
    }
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(join(pkg.directory, await entryOf(pkg.directory))).href)) as { default?: unknown };
    } catch (error) {
      throw new TandemError('pluginError', `plugin "${ref}" (${pkg.packageName}) failed to load: ${(error as Error).message}`, {
        problems: [{ path: pkg.directory, message: 'import failed', fix: 'reinstall or rebuild the package (npm run build)' }],
        cause: error,
      });
    }
    const manifest = mod.default;
    if (!isPluginManifest(manifest)) {
      throw new TandemError('pluginError', `package ${pkg.packageName} does not export a plugin manifest as its default export`, {
        problems: [{ path: pkg.directory, message: 'default export missing id, version, provides, options or module', fix: 'export default definePlugin({...}) from the package entry' }],
      });
    }
    if (manifest.id !== pkg.id) {
      throw new TandemError('pluginError', `package ${pkg.packageName} declares id "${pkg.id}" but its manifest says "${manifest.id}"`, {
        problems: [{ path: join(pkg.directory, 'package.json'), message: 'tandem.id and manifest.id differ', fix: 'make them the same' }],
      });
    }
    return manifest;
  }
}

async function scanNodeModules(dir: string, origin: PluginPackage['origin']): Promise<PluginPackage[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: PluginPackage[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) {
      const scoped = await readdir(join(dir, e.name), { withFileTypes: true }).catch(() => []);
      for (const s of scoped) found.push(...(await readPackage(join(dir, e.name, s.name), origin)));
    } else {
      found.push(...(await readPackage(join(dir, e.name), origin)));
    }
  }
  return found;
}

async function readPackage(directory: string, origin: PluginPackage['origin']): Promise<PluginPackage[]> {
  let json: { name?: string; version?: string; tandem?: { plugin?: boolean; id?: string } };
  try {
    json = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as typeof json;
  } catch {
    return [];
  }
  if (json.tandem?.plugin !== true || typeof json.tandem.id !== 'string' || !json.name) return [];
  return [{ id: json.tandem.id, packageName: json.name, version: json.version ?? '0.0.0', directory, origin }];
}

async function entryOf(directory: string): Promise<string> {
  const json = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
    exports?: string | { '.'?: string | { default?: string; import?: string } };
    main?: string;
  };
  const dot = typeof json.exports === 'string' ? json.exports : json.exports?.['.'];
  if (typeof dot === 'string') return dot;
  return dot?.import ?? dot?.default ?? json.main ?? 'index.js';
}
