import { ExitCode, TandemError, type ContractName } from '@tandem/core';
import { BaseCommand } from '../base-command.js';
import { discoverPlugins, discoveryRoots } from '../plugin-discovery.js';
import { safeLine } from '../safe-text.js';

export interface HaPluginRow {
  readonly id: string;
  readonly packageName: string;
  readonly version: string;
  readonly contracts: readonly ContractName[];
  readonly description: string;
  readonly directory: string;
  readonly origin: 'built-in' | 'installed';
  /** Set when the package was found but its manifest could not be imported. */
  readonly error?: string;
}

export interface HaPluginsResult {
  readonly plugins: readonly HaPluginRow[];
  /** Folders that were searched, in order; the first package with an id wins. */
  readonly searched: readonly string[];
}

export default class HaPlugins extends BaseCommand<typeof HaPlugins> {
  static override summary = 'List the HA plugins (probes, fencers, transports, recovery, resources) this CLI can use.';
  static override description = `HA plugins are npm packages whose package.json has "tandem": { "plugin": true, "id": ... }. They are found in the CLI's own node_modules (built-in) and among packages added with \`tandem plugins install <package>\` (installed). Each one is imported to show the contracts it provides.

Not to be confused with \`tandem plugins\`, which lists oclif plugins: packages that add commands to this CLI. One package may be both.

Exits 4 if a plugin package was found but could not be loaded; it is still listed, with the error.`;

  static override examples = [
    { description: 'Table of HA plugins', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Ids of every fencer, for a script', command: '<%= config.bin %> <%= command.id %> --json | jq -r \'.plugins[] | select(.contracts | index("Fencer")) | .id\'' },
  ];

  async run(): Promise<HaPluginsResult> {
    const catalog = await discoverPlugins(this.config);
    const plugins: HaPluginRow[] = [];
    for (const pkg of catalog.list()) {
      const base = { id: pkg.id, packageName: pkg.packageName, version: pkg.version, directory: pkg.directory, origin: pkg.origin };
      try {
        const manifest = await catalog.load(pkg.id);
        plugins.push({ ...base, version: manifest.version, contracts: manifest.provides, description: manifest.description });
      } catch (error) {
        const message = error instanceof TandemError ? error.message : String(error);
        plugins.push({ ...base, contracts: [], description: '', error: message });
      }
    }
    this.printTable(plugins);
    // A broken plugin must not look like a healthy listing to a script.
    if (plugins.some((p) => p.error !== undefined)) process.exitCode = ExitCode.pluginError;
    return { plugins, searched: discoveryRoots(this.config).map((r) => r.dir) };
  }

  private printTable(plugins: readonly HaPluginRow[]): void {
    if (plugins.length === 0) {
      this.log('no HA plugins found; install one with `tandem plugins install <npm package>`');
      return;
    }
    // Every cell comes from a package's own package.json or manifest: one line each.
    const rows = plugins.map((p) => [p.id, p.version, p.contracts.join(',') || '-', p.origin, p.error === undefined ? p.description : `LOAD FAILED: ${p.error}`].map(safeLine));
    const header = ['ID', 'VERSION', 'CONTRACTS', 'ORIGIN', 'DESCRIPTION'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
    this.log(line(header));
    for (const r of rows) this.log(line(r));
    for (const p of plugins) this.log(`  ${safeLine(p.id)}: ${safeLine(p.packageName)} from ${safeLine(p.directory)}`);
  }
}
