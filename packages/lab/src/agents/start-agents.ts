import type { Lab } from '../lab.js';
import { labStateDir, TANDEM_CLI } from './tandem-cli.js';

export interface StartAgentsOptions {
  /** A Tandem config whose node names are lab servers. */
  readonly configPath: string;
  /** Extra environment for every agent (secrets the config reads with `{ env: ... }`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: every server of the lab. */
  readonly servers?: readonly string[];
}

/**
 * Start `tandem agent start` on each server as its `agent` service: inside
 * the server's namespace, restarted by power on like any service, logging
 * JSON lines to hosts/<server>/logs/agent.log.
 */
export async function startAgents(lab: Lab, options: StartAgentsOptions): Promise<void> {
  for (const server of options.servers ?? lab.servers.map((s) => s.name)) {
    await lab.addService(server, {
      name: 'agent',
      argv: [process.execPath, TANDEM_CLI, 'agent', 'start', '--config', options.configPath, '--node', server, '--log-format', 'json'],
      env: { TANDEM_NODE: server, TANDEM_STATE_DIR: labStateDir(lab), ...(options.env ?? {}) },
    });
  }
}
