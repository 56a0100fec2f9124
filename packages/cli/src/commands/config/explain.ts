import { Flags } from '@oclif/core';
import { loadConfigFile } from '@tandem/core';
import { stringify } from 'yaml';
import { BaseCommand } from '../../base-command.js';
import { configFileArg, inFile, resolveConfigPath } from '../../config-file.js';
import { explainConfig } from '../../explain-config.js';
import { discoverPlugins } from '../../plugin-discovery.js';

export default class ConfigExplain extends BaseCommand<typeof ConfigExplain> {
  static override summary = 'Print the fully resolved config: defaults filled in, node overrides applied, plugin defaults shown.';
  static override description = `What the agent will actually run with. Every default of the config schema and of each plugin's option schema is written out. With --node, that node's overrides are merged into the plugin instances. Secrets are shown only by reference with the value masked as ***.

YAML by default; --json prints the same document as JSON.`;

  static override examples = [
    { description: 'Show what db2 runs with', command: '<%= config.bin %> <%= command.id %> examples/demo.yaml --node db2' },
    { description: 'The same as JSON, for jq', command: '<%= config.bin %> <%= command.id %> examples/demo.yaml --node db2 --json | jq .timing' },
  ];

  static override args = { file: configFileArg };

  static override flags = {
    node: Flags.string({ char: 'n', summary: 'Apply this node\'s overrides (nodes.NAME.overrides).' }),
    'skip-secrets': Flags.boolean({ default: false, summary: 'Do not read secrets; useful where they are not available.' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const file = resolveConfigPath(this.args.file);
    const { config } = await loadConfigFile(file, { skipSecrets: this.flags['skip-secrets'] });
    const catalog = await discoverPlugins(this.config);
    const resolved = await inFile(file, () => explainConfig(config, catalog, this.flags.node));
    const scope = this.flags.node === undefined ? 'shared options, no node overrides' : `as node ${this.flags.node} runs it`;
    this.log(`# ${file}: resolved config, ${scope}; secrets masked\n${stringify(resolved, { lineWidth: 0 })}`.trimEnd());
    return resolved;
  }
}
