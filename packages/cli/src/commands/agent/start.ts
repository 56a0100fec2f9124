import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { startAgent } from '@tandem/agent';
import { createLogger, loadConfigFile } from '@tandem/core';
import { BaseCommand } from '../../base-command.js';
import { clusterFlags, defaultStateDir } from '../../cluster-context.js';
import { inFile, resolveConfigPath } from '../../config-file.js';
import { discoverPlugins } from '../../plugin-discovery.js';

export interface AgentStartResult {
  readonly node: string;
  readonly cluster: string;
  readonly stoppedBy: string;
}

export default class AgentStart extends BaseCommand<typeof AgentStart> {
  static override summary = 'Run this node\'s agent in the foreground until SIGTERM or SIGINT.';
  static override description = `Loads the config, loads only the plugins it names, checks that every program they need is installed, then runs the HA cycle and the status endpoint (nodes.<node>.statusListen). Logs one JSON line per cycle on stderr.

Start-up problems exit with the config's exit codes (3 invalid config, 4 plugin, 5 missing program) so that systemd can tell them from crashes (see examples/tandem-agent.service).`;

  static override examples = [
    { description: 'Run the agent of node db1', command: '<%= config.bin %> <%= command.id %> --config /etc/tandem/tandem.yaml --node db1' },
    { description: 'The node name defaults to the host name', command: 'TANDEM_CONFIG=/etc/tandem/tandem.yaml <%= config.bin %> <%= command.id %>' },
  ];

  static override flags = {
    ...clusterFlags,
    node: Flags.string({ char: 'n', summary: 'This node\'s name in the config (default: the host name).', env: 'TANDEM_NODE' }),
    'log-format': Flags.option({ options: ['json', 'pretty', 'auto'] as const, default: 'auto' as const, summary: 'Log line format on stderr.' })(),
  };

  async run(): Promise<AgentStartResult> {
    const file = resolveConfigPath(this.flags.config);
    const { config } = await loadConfigFile(file);
    const node = this.flags.node ?? hostname().split('.')[0] ?? 'localhost';
    const stateDir = defaultStateDir(this.flags['state-dir']);
    await mkdir(stateDir, { recursive: true });
    const level = this.flags['log-level'] === 'warn' ? 'info' : this.flags['log-level'];
    const logger = createLogger({ level, format: this.flags['log-format'] });
    const catalog = await discoverPlugins(this.config);
    const agent = await inFile(file, () => startAgent({ config, node, catalog, logger, stateDir }));
    const where = agent.statusAddress ? `; status on http://${agent.statusAddress.host}:${agent.statusAddress.port}/health` : '';
    logger.info({ node, cluster: config.cluster }, `agent ${node} of cluster ${config.cluster} started${where}`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ node, signal }, `stopping on ${signal}`);
    await agent.stop();
    return { node, cluster: config.cluster, stoppedBy: signal };
  }
}
