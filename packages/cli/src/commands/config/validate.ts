import { Flags } from '@oclif/core';
import { allInstances, loadConfigFile, validateInstances } from '@tandem/core';
import { BaseCommand } from '../../base-command.js';
import { configFileArg, inFile, resolveConfigPath } from '../../config-file.js';
import { discoverPlugins } from '../../plugin-discovery.js';

export interface ValidateResult {
  readonly valid: true;
  readonly file: string;
  readonly cluster: string;
  readonly nodes: readonly string[];
  readonly instances: readonly { readonly id: string; readonly plugin: string; readonly configPath: string }[];
}

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate> {
  static override summary = 'Check a cluster config: schema, addresses, timing, secrets, and every plugin instance for every node.';
  static override description = `Loads the file like the agent does, then validates each plugin instance's options with that plugin's own schema, once per node (so per-node overrides are checked too). Reports every problem at once, each with its config path and a fix.

Exit codes: 0 valid, 3 the config itself is invalid, 4 a plugin is unknown or rejects its options.`;

  static override examples = [
    { description: 'Validate the demo config', command: '<%= config.bin %> <%= command.id %> examples/demo.yaml' },
    { description: 'Validate on a workstation that lacks the secrets, for CI', command: '<%= config.bin %> <%= command.id %> /etc/tandem/tandem.yaml --skip-secrets --json' },
  ];

  static override args = { file: configFileArg };

  static override flags = {
    'skip-secrets': Flags.boolean({ default: false, summary: 'Do not read secrets ({ env } / { file } references); check only their form.' }),
  };

  async run(): Promise<ValidateResult> {
    const file = resolveConfigPath(this.args.file);
    const { config } = await loadConfigFile(file, { skipSecrets: this.flags['skip-secrets'] });
    const catalog = await discoverPlugins(this.config);
    const nodes = Object.keys(config.nodes);
    await inFile(file, async () => {
      for (const node of nodes) await validateInstances(config, node, catalog);
    });
    const instances = allInstances(config).map(({ path, instance }) => ({ id: instance.id, plugin: instance.plugin, configPath: path }));
    this.log(`valid: cluster ${config.cluster}, ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${instances.length} plugin instance${instances.length === 1 ? '' : 's'}`);
    return { valid: true, file, cluster: config.cluster, nodes, instances };
  }
}
