import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfigFile, type ClusterConfig } from '@tandem/core';
import { postgresBinDir } from '@tandem/testkit/postgres';
import { Lab } from '../lab.js';
import { configForLab, type LabOverrides } from '../agents/config-for-lab.js';
import { labSpecFromConfig } from '../agents/lab-from-config.js';
import { startAgents } from '../agents/start-agents.js';
import { provisionPostgres } from '../postgres/provision-postgres.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';
import { serversNamed } from '../topology/lab-spec.js';
import { startLabSshd, type LabSsh } from '../hosts/lab-sshd.js';
import type { CampaignStore } from './watch-restore.js';

/** A lab with PostgreSQL, and (with a config) agents managing it, ready for a workload. */
export interface CampaignCluster {
  readonly lab: Lab;
  readonly pg: LabPostgres;
  /** Where clients connect: the config's VIP, else the first server's address. */
  readonly serviceAddress: string;
  /** What runs the cluster, for the report. */
  readonly label: string;
  /** Agents run the cluster (their `agent` service on each server); false for the baseline. */
  readonly agents: boolean;
  /** The agents' Redis store, which the campaign reads to see who is up; absent for other stores and the baseline. */
  readonly store?: CampaignStore;
}

function postgresFound(): boolean {
  try {
    return postgresBinDir() !== '';
  } catch {
    return false;
  }
}

/** The baseline: a PostgreSQL primary and replicas, no HA manager. */
export async function baselineCluster(servers: number): Promise<CampaignCluster> {
  const lab = await Lab.up({ servers: serversNamed(servers), store: {} }, { needsPostgres: postgresFound });
  try {
    const pg = await provisionPostgres(lab, { primary: 's1', replicas: lab.servers.slice(1).map((s) => s.name) });
    return { lab, pg, serviceAddress: lab.address('s1'), label: 'baseline: no HA manager', agents: false };
  } catch (error) {
    await lab.down({ keepDir: true });
    throw error;
  }
}

type Section = 'resources' | 'transports' | 'recovery' | 'probes';

function instancesOf(config: ClusterConfig, plugin: string, section: Section = 'resources'): { id: string; options: Record<string, unknown> }[] {
  const list = section === 'probes' ? config.probes.checks : config[section];
  return list.filter((r) => r.plugin === plugin).map((r) => ({ id: r.id, options: r.options as Record<string, unknown> }));
}

/**
 * The primary must wait for the standbys' WAL mirrors: ANY 1 of them, by
 * their application_name. Not when resource-postgres owns the setting
 * (`syncStandbys`): its agent arms it once a mirror streams.
 */
function synchronousMirrors(config: ClusterConfig, nodes: readonly string[]): Record<string, string> {
  const mirror = instancesOf(config, 'transport-wal-mirror', 'transports')[0];
  if (mirror === undefined) return {};
  if (instancesOf(config, 'resource-postgres').some((r) => r.options.syncStandbys !== undefined)) return {};
  const pattern = typeof mirror.options.mirrorName === 'string' ? mirror.options.mirrorName : 'tandem_mirror_{node}';
  const names = nodes.map((n) => pattern.replace('{node}', n.toLowerCase().replace(/[^a-z0-9_]/g, '_')));
  return { synchronous_standby_names: `'ANY 1 (${names.join(', ')})'` };
}

/** Where each plugin instance finds this server's database, mirror and logs in the lab. */
function labOverrides(config: ClusterConfig, pg: LabPostgres, server: string, ssh: LabSsh | undefined): Record<string, Record<string, unknown>> {
  const standby = { socketDir: pg.socketDir(server), port: pg.port, user: pg.user };
  const mirrorDir = join(pg.logDir(server), '..', 'pgmirror');
  const entries: [string, Record<string, unknown>][] = [
    ...instancesOf(config, 'resource-postgres').map((d): [string, Record<string, unknown>] => [d.id, { dataDir: pg.dataDir(server), socketDir: pg.socketDir(server), logFile: join(pg.logDir(server), 'postgresql.log'), port: pg.port }]),
    ...instancesOf(config, 'transport-wal-mirror', 'transports').map((t): [string, Record<string, unknown>] => [t.id, { mirrorDir, standby, logFile: join(pg.logDir(server), 'mirror.log'), pidFile: join(pg.logDir(server), 'mirror.pid') }]),
    ...instancesOf(config, 'recovery-compensate', 'recovery').map((r): [string, Record<string, unknown>] => [r.id, { mirrorDir, standby }]),
    ...(ssh === undefined ? [] : instancesOf(config, 'probe-ssh', 'probes').map((p): [string, Record<string, unknown>] => [p.id, { user: ssh.user, identityFile: ssh.identityFile, knownHostsFile: ssh.knownHostsFile }])),
  ];
  return Object.fromEntries(entries);
}

/**
 * The cluster a Tandem config describes, with its agents running. The lab
 * sets up PostgreSQL (the first node primary) and, when the config manages
 * the database (`resource-postgres`), stops it and hands it to the agents,
 * with the config's data and socket paths pointed at each server's lab
 * directory. The agents get TANDEM_PG_PASSWORD and TANDEM_IPMI_PASSWORD.
 * With an ssh probe, every server runs sshd and the probe gets the lab's
 * key and known-hosts file.
 */
export async function clusterFromConfig(configPath: string): Promise<CampaignCluster> {
  const { config } = await loadConfigFile(configPath, { skipSecrets: true });
  const lab = await Lab.up(labSpecFromConfig(config), { needsPostgres: postgresFound });
  try {
    const names = lab.servers.map((s) => s.name);
    const [first, ...rest] = names;
    const pg = await provisionPostgres(lab, { primary: first as string, replicas: rest, settings: synchronousMirrors(config, names) });
    const managed = instancesOf(config, 'resource-postgres').length > 0;
    // An ssh probe logs in to the primary's host: every server runs sshd, with the lab's keys.
    const ssh = instancesOf(config, 'probe-ssh', 'probes').length > 0 ? await startLabSshd(lab, names) : undefined;
    const overrides: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const server of names) {
      overrides[server] = labOverrides(config, pg, server, ssh);
      if (managed) await lab.removeService(server, 'postgres', 'SIGINT');
    }
    const labConfig = join(lab.dir, 'tandem.yaml');
    await writeFile(labConfig, configForLab(await readFile(configPath, 'utf8'), overrides as LabOverrides));
    const env: Record<string, string> = { TANDEM_PG_PASSWORD: pg.password };
    if (lab.spec.power) env.TANDEM_IPMI_PASSWORD = lab.bmcs.access(first as string).password;
    await startAgents(lab, { configPath: labConfig, env });
    const vip = instancesOf(config, 'resource-vip')[0]?.options.address;
    const serviceAddress = typeof vip === 'string' ? (vip.split('/')[0] as string) : lab.address(first as string);
    const store = config.store.type === 'redis' && config.store.mode !== 'sentinel' ? { address: config.store.host, port: config.store.port, keyPrefix: config.store.keyPrefix ?? `tandem:${config.cluster}:` } : undefined;
    return { lab, pg, serviceAddress, label: `${configPath} (agents)`, agents: true, ...(store ? { store } : {}) };
  } catch (error) {
    await lab.down({ keepDir: true });
    throw error;
  }
}
