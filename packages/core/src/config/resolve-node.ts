import type { NodeInfo, NicInfo, NicRole } from '../contracts/node-info.js';
import { TandemError } from '../errors.js';
import type { ClusterConfig, NodeConfig, PluginInstanceConfig } from './schema.js';

/** A node's view of the cluster: its overrides applied to every plugin instance. */
export function resolveForNode(config: ClusterConfig, nodeName: string): ClusterConfig {
  const node = config.nodes[nodeName];
  if (!node) {
    throw new TandemError('usage', `node "${nodeName}" is not in the config`, {
      problems: [{ path: 'nodes', message: `known nodes: ${Object.keys(config.nodes).join(', ')}`, fix: 'pass one of them with --node' }],
    });
  }
  const apply = (instance: PluginInstanceConfig): PluginInstanceConfig => {
    const o = node.overrides[instance.id];
    if (!o) return instance;
    return {
      ...instance,
      ...(o.plugin === undefined ? {} : { plugin: o.plugin }),
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      // A different plugin takes different options: replace rather than merge.
      options: o.plugin !== undefined && o.plugin !== instance.plugin ? (o.options ?? {}) : deepMerge(instance.options, o.options ?? {}),
    };
  };
  return {
    ...config,
    probes: { ...config.probes, checks: config.probes.checks.map(apply) },
    fencing: { levels: config.fencing.levels.map((level) => level.map(apply)) },
    transports: config.transports.map(apply),
    recovery: config.recovery.map(apply),
    resources: config.resources.map(apply),
  };
}

export function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export function nodeInfo(nodeName: string, node: NodeConfig): NodeInfo {
  const nics: Partial<Record<NicRole, NicInfo>> = {};
  for (const [role, nic] of Object.entries(node.nics) as [NicRole, NodeConfig['nics'][NicRole]][]) {
    if (nic) nics[role] = { name: nic.name ?? '', address: nic.address, prefixLength: nic.prefixLength };
  }
  return { name: nodeName, nics, ...(node.management ? { management: node.management } : {}) };
}

export function allNodeInfos(config: ClusterConfig): NodeInfo[] {
  return Object.entries(config.nodes).map(([n, c]) => nodeInfo(n, c));
}
