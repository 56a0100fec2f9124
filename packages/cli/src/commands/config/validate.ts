import { Flags } from '@oclif/core';
import { allInstances, findSecrets, formatProblem, loadConfigFile, resolveSecrets, TandemError, validateInstances, type Problem } from '@tandem/core';
import { BaseCommand } from '../../base-command.js';
import { configFileArg, inFile, resolveConfigPath } from '../../config-file.js';
import { discoverPlugins } from '../../plugin-discovery.js';

export interface ValidateResult {
  readonly valid: true;
  readonly file: string;
  readonly cluster: string;
  readonly nodes: readonly string[];
  readonly instances: readonly { readonly id: string; readonly plugin: string; readonly configPath: string }[];
  /** Secret files readable by group or others (an error instead with `strictSecrets: true`). */
  readonly warnings: readonly Problem[];
}

const SKIP_HINT = 'on a host without the secrets (a workstation, CI), check the rest with --skip-secrets';

/** A missing secret is not a broken config on a workstation: say how to check the rest. */
function withSkipHint(error: unknown): never {
  if (error instanceof TandemError && error.kind === 'invalidConfig' && !error.message.includes('--skip-secrets') && error.problems.some((p) => /environment variable \S+ is not set|cannot read secret file/.test(p.message))) {
    throw new TandemError(error.kind, `${error.message}; ${SKIP_HINT}`, { problems: error.problems, cause: error });
  }
  throw error;
}

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate> {
  static override summary = 'Check a cluster config: schema, addresses, timing, secrets, and every plugin instance for every node.';
  static override description = `Loads the file like the agent does, then validates each plugin instance's options with that plugin's own schema, once per node (so per-node overrides are checked too), and reads every secret they reference, plugin secrets included, as the agent would (--skip-secrets checks only their form). A secret file readable by group or others is a warning, or an error with strictSecrets: true. Reports every problem at once, each with its config path and a fix.

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
    const skipSecrets = this.flags['skip-secrets'];
    const loaded = await loadConfigFile(file, { skipSecrets }).catch(withSkipHint);
    const { config } = loaded;
    const catalog = await discoverPlugins(this.config);
    const nodes = Object.keys(config.nodes);
    const warnings: Problem[] = [...loaded.warnings];
    await inFile(file, async () => {
      // Each node's instances (its overrides may point at other secrets), each secret path resolved once, as the agent would.
      const seen = new Map<string, ReturnType<typeof findSecrets>[number]>();
      for (const node of nodes) {
        for (const v of await validateInstances(config, node, catalog)) {
          for (const s of findSecrets(v.options, `${v.configPath}.options`)) if (!seen.has(s.path)) seen.set(s.path, s);
        }
      }
      if (skipSecrets) return;
      const resolved = resolveSecrets([...seen.values()], process.env, config.strictSecrets);
      warnings.push(...resolved.warnings);
      const n = resolved.problems.length;
      if (n > 0) throw new TandemError('invalidConfig', `${n} plugin secret${n === 1 ? '' : 's'} cannot be read; ${SKIP_HINT}`, { problems: resolved.problems });
    }).catch(withSkipHint);
    for (const w of warnings) this.logToStderr(`warning: ${formatProblem(w)}`);
    const instances = allInstances(config).map(({ path, instance }) => ({ id: instance.id, plugin: instance.plugin, configPath: path }));
    this.log(`valid: cluster ${config.cluster}, ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${instances.length} plugin instance${instances.length === 1 ? '' : 's'}`);
    return { valid: true, file, cluster: config.cluster, nodes, instances, warnings };
  }
}
