import { hostname } from 'node:os';
import { Flags } from '@oclif/core';
import { allNodeInfos, ExecaCommandRunner, issuesToProblems, loadConfigFile, resolveForNode, SystemClock, TandemError, type ClusterConfig, type ExitCodeName, type Outcome } from '@tandem/core';
import { VolumeAdmin, volumeOptions, type VolumeOptions, type VolumeStatus } from '@tandem/plugin-volume-iscsi-mirror';
import { requireMember } from './await-primary.js';
import { resolveConfigPath } from './config-file.js';
import { safeLine } from './safe-text.js';

/**
 * What the `tandem volume` commands share: the config, the volume-iscsi-mirror resource it names, the
 * node this host is, and the plugin's VolumeAdmin; plus how a status is drawn for people.
 */
export const volumeFlags = {
  config: Flags.string({ char: 'c', summary: 'Cluster config file (default: $TANDEM_CONFIG, else ./tandem.yaml).', env: 'TANDEM_CONFIG' }),
  volume: Flags.string({ summary: 'Id of the volume-iscsi-mirror resource (default: the only one in the config).' }),
};

export const targetFlags = {
  // No TANDEM_NODE here: an agent host's environment would then clash with --array on the same host.
  node: Flags.string({ char: 'n', summary: "The cluster node to act for (default: this host's name).", exclusive: ['array'] }),
  array: Flags.string({ char: 'a', summary: 'A storage host (an entry of options.arrays) to act for instead of a node.', exclusive: ['node'] }),
};

export interface VolumeContext {
  readonly file: string;
  readonly config: ClusterConfig;
  readonly instanceId: string;
  /** `resources[i]`, for messages. */
  readonly configPath: string;
  /** The node acted for; for --array, the options are the cluster-wide ones (no node's overrides). */
  readonly node: string | undefined;
  readonly options: VolumeOptions;
  readonly admin: VolumeAdmin;
}

/** The node this host is: the flag, else the host name when the config has it. */
export function nodeName(config: ClusterConfig, flag: string | undefined): string {
  const nodes = Object.keys(config.nodes);
  const name = flag ?? hostname().split('.')[0] ?? '';
  if (flag === undefined && !nodes.includes(name)) {
    throw new TandemError('usage', `this host (${name}) is not a node of the config`, { problems: [{ path: '--node', message: `known nodes: ${nodes.join(', ')}`, fix: 'pass --node <name>, or --array <name> on a storage host' }] });
  }
  requireMember(nodes, name, '--node');
  return name;
}

/** Load the config and the volume resource's options as the picked node sees them (its overrides applied). */
export async function openVolume(
  flags: { config?: string | undefined; volume?: string | undefined },
  pickNode: (config: ClusterConfig) => string | undefined,
  secrets: 'resolve' | 'skip',
): Promise<VolumeContext> {
  const file = resolveConfigPath(flags.config);
  // Only this plugin's secret matters here, and only for apply: read it below, not the store's.
  const { config } = await loadConfigFile(file, { skipSecrets: true });
  const node = pickNode(config);
  const resolved = node === undefined ? config : resolveForNode(config, node);
  const candidates = resolved.resources.map((r, i) => ({ r, i })).filter(({ r }) => r.plugin === 'volume-iscsi-mirror' || r.plugin === '@tandem/plugin-volume-iscsi-mirror');
  const picked = flags.volume === undefined ? candidates : candidates.filter(({ r }) => r.id === flags.volume);
  if (picked.length !== 1) {
    const ids = candidates.map(({ r }) => r.id);
    throw new TandemError('usage', picked.length === 0 ? `${file}: no volume-iscsi-mirror resource${flags.volume ? ` with id "${flags.volume}"` : ''}` : `${file}: ${ids.length} volume-iscsi-mirror resources; say which`, {
      problems: [{ path: '--volume', message: ids.length > 0 ? `volume resources: ${ids.join(', ')}` : 'the config has none under resources', fix: ids.length > 0 ? 'pass --volume <id>' : 'add a resource with plugin: volume-iscsi-mirror' }],
    });
  }
  const { r, i } = picked[0]!;
  const configPath = `resources[${i}]`;
  const parsed = volumeOptions.safeParse(r.options, { reportInput: true });
  if (!parsed.success) throw new TandemError('pluginError', `${file}: ${configPath} (${r.id}) has invalid options`, { problems: issuesToProblems(parsed.error.issues, ['resources', i, 'options']) });
  const options = parsed.data;
  if (secrets === 'resolve' && options.chap) {
    const failure = options.chap.password.resolve(process.env);
    if (failure) throw new TandemError('invalidConfig', `${file}: the CHAP password cannot be read`, { problems: [{ path: `${configPath}.options.chap.password`, message: failure, fix: 'set it in this shell, or point to a readable file' }] });
  }
  const chap = options.chap;
  const admin = new VolumeAdmin(options, allNodeInfos(config), {
    runner: new ExecaCommandRunner(),
    clock: new SystemClock(),
    chapPassword: () => (chap?.password.resolved ? chap.password.reveal() : undefined),
  });
  return { file, config, instanceId: r.id, configPath, node, options, admin };
}

/**
 * A plugin outcome that is not ok, as the CLI's error: config-errors from the volume are refusals to
 * touch data (a member of another array, a create over a superblock), and so is the takeover rule.
 */
export function outcomeError(what: string, o: Outcome<unknown>): TandemError {
  const kind: ExitCodeName =
    o.code === 'not-installed' ? 'preconditionFailed' : o.code === 'timeout' ? 'timeout' : o.code === 'config-error' || /^refusing|split brain/.test(o.reason) ? 'refused' : 'failed';
  return new TandemError(kind, `${what}: ${o.reason}`);
}

/** `[########----------------]  33.3%` */
export function progressBar(percent: number, width = 30): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${clamped.toFixed(1).padStart(5)}%`;
}

/**
 * The status as people read it: the array, one line per member, and the resync bar while one runs.
 * The fields are what mdadm and the sessions on this host report, through the plugin: one line each.
 */
export function renderVolumeStatus(s: VolumeStatus): string {
  const lines = [`${safeLine(s.device)}${s.kernelName ? ` (${safeLine(s.kernelName)})` : ''}: ${safeLine(s.state)}${s.degraded ? ` - ${safeLine(s.degraded)}` : ''}`];
  const members = s.members.map((m) => ({ array: safeLine(m.array), device: safeLine(m.device ?? '-'), state: safeLine(m.state) }));
  const width = Math.max(...members.map((m) => m.array.length));
  for (const m of members) lines.push(`  ${m.array.padEnd(width)}  ${m.device.padEnd(10)}  ${m.state}`);
  if (s.progress) {
    const speed = s.progress.speedKiBs === undefined ? '' : `  ${s.progress.speedKiBs} KiB/s`;
    const left = s.progress.finishMinutes === undefined ? '' : `  ${s.progress.finishMinutes} min left`;
    lines.push(`  ${progressBar(s.progress.percent)}${speed}${left}`);
  }
  return lines.join('\n');
}
