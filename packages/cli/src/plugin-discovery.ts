import { dirname, join } from 'node:path';
import { PluginCatalog, type PluginPackage } from '@tandem/core';

/** The parts of oclif's Config that discovery needs; a plain object in tests. */
export interface DiscoveryContext {
  /** The CLI package's directory (oclif `config.root`). */
  readonly root: string;
  /** oclif's data dir; `tandem plugins install` puts packages in its node_modules. */
  readonly dataDir: string;
  /** The CLI's package.json: its dependencies are the built-in plugins. */
  readonly pjson: { readonly dependencies?: Readonly<Record<string, string>> };
}

export interface DiscoveryRoot {
  readonly dir: string;
  readonly origin: PluginPackage['origin'];
}

/**
 * Where HA plugin packages are looked for, first match wins: packages the
 * operator installed with `tandem plugins install` (so a plugin can be
 * upgraded without upgrading the CLI), then every node_modules folder from
 * the CLI package up to the file-system root, as Node's resolver would walk.
 */
export function discoveryRoots(context: DiscoveryContext): DiscoveryRoot[] {
  const roots: DiscoveryRoot[] = [{ dir: join(context.dataDir, 'node_modules'), origin: 'installed' }];
  let dir = context.root;
  for (let depth = 0; depth < 64; depth++) {
    roots.push({ dir: join(dir, 'node_modules'), origin: 'built-in' });
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return roots;
}

/**
 * Find every HA plugin package. A package counts as built-in when the CLI
 * itself depends on it; anything else found next to the CLI (a global
 * `npm install -g`) or in the data dir is reported as installed.
 */
export async function discoverPlugins(context: DiscoveryContext): Promise<PluginCatalog> {
  const found = await PluginCatalog.discover(discoveryRoots(context));
  const bundled = new Set(Object.keys(context.pjson.dependencies ?? {}));
  return PluginCatalog.fromPackages(
    found.list().map((pkg): PluginPackage => ({ ...pkg, origin: bundled.has(pkg.packageName) && !pkg.directory.startsWith(join(context.dataDir, 'node_modules')) ? 'built-in' : 'installed' })),
  );
}
