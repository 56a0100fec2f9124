import { homedir } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { openStore } from '@tandem/agent';
import { loadConfigFile, SystemClock, type ClusterConfig, type CoordinationStore, type Logger } from '@tandem/core';
import { resolveConfigPath } from './config-file.js';

/** Flags every command that talks to a running cluster shares. */
export const clusterFlags = {
  config: Flags.string({ char: 'c', summary: 'Cluster config file (default: $TANDEM_CONFIG, else ./tandem.yaml).', env: 'TANDEM_CONFIG' }),
  'state-dir': Flags.string({ summary: 'Where the embedded store lives when the config gives no store.path.', env: 'TANDEM_STATE_DIR' }),
};

export interface ClusterContext {
  readonly file: string;
  readonly config: ClusterConfig;
  readonly store: CoordinationStore;
  readonly clock: SystemClock;
  close(): Promise<void>;
}

/** /var/lib/tandem for root, the XDG state dir otherwise: the same default as `tandem agent start`. */
export function defaultStateDir(flag: string | undefined): string {
  if (flag !== undefined && flag !== '') return flag;
  if (process.getuid?.() === 0) return '/var/lib/tandem';
  return join(process.env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'tandem');
}

/** Load the config and open its store, for commands that read or steer a running cluster. */
export async function openCluster(flags: { config?: string | undefined; 'state-dir'?: string | undefined }, logger: Logger): Promise<ClusterContext> {
  const file = resolveConfigPath(flags.config);
  const { config } = await loadConfigFile(file);
  const clock = new SystemClock();
  const store = openStore(config, { clock, logger, stateDir: defaultStateDir(flags['state-dir']) });
  return { file, config, store, clock, close: () => store.close() };
}

/** Run `work` with an open cluster and always close the store. */
export async function withCluster<T>(flags: { config?: string | undefined; 'state-dir'?: string | undefined }, logger: Logger, work: (c: ClusterContext) => Promise<T>): Promise<T> {
  const cluster = await openCluster(flags, logger);
  try {
    return await work(cluster);
  } finally {
    await cluster.close();
  }
}
