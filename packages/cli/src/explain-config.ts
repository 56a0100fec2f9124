import { resolveForNode, validateInstances, type ClusterConfig, type PluginCatalog, type PluginInstanceConfig } from '@tandem/core';

/**
 * The config as the agent on `node` would run it: schema defaults filled in,
 * that node's overrides applied, and each plugin's options parsed by the
 * plugin's own schema so its defaults show too. Without a node, overrides are
 * left out and the shared instance options are shown.
 *
 * The result is plain JSON data: secrets went through Secret.toJSON, so only
 * their reference and `***` remain, never a value.
 */
export async function explainConfig(config: ClusterConfig, catalog: PluginCatalog, node: string | undefined): Promise<Record<string, unknown>> {
  const resolved = node === undefined ? config : resolveForNode(config, node);
  // Without a node, validate as a node with no overrides would see it.
  const subject = node === undefined ? withoutOverrides(config) : config;
  const validated = await validateInstances(subject, node ?? firstNode(config), catalog);
  const options = new Map(validated.map((v) => [v.configPath, v.options]));
  const pick = (path: string, instance: PluginInstanceConfig): PluginInstanceConfig => ({ ...instance, options: (options.get(path) ?? instance.options) as Record<string, unknown> });
  const out: ClusterConfig = {
    ...resolved,
    probes: { ...resolved.probes, checks: resolved.probes.checks.map((c, i) => pick(`probes.checks[${i}]`, c)) },
    fencing: { levels: resolved.fencing.levels.map((level, l) => level.map((c, i) => pick(`fencing.levels[${l}][${i}]`, c))) },
    transports: resolved.transports.map((c, i) => pick(`transports[${i}]`, c)),
    recovery: resolved.recovery.map((c, i) => pick(`recovery[${i}]`, c)),
    resources: resolved.resources.map((c, i) => pick(`resources[${i}]`, c)),
  };
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

function withoutOverrides(config: ClusterConfig): ClusterConfig {
  return { ...config, nodes: Object.fromEntries(Object.entries(config.nodes).map(([name, n]) => [name, { ...n, overrides: {} }])) };
}

function firstNode(config: ClusterConfig): string {
  const [name] = Object.keys(config.nodes);
  // The schema requires at least one node, so this is a bug, not an operator error.
  if (name === undefined) throw new Error('config has no nodes');
  return name;
}
