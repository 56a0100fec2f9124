import type { Problem } from '../errors.js';
import type { ClusterConfig, PluginInstanceConfig } from './schema.js';

/** Checks that span several parts of the config; each returns problems rather than throwing, so all are reported at once. */
export function crossCheck(config: ClusterConfig): Problem[] {
  return [...uniqueAddresses(config), ...uniqueInstanceIds(config), ...overridesExist(config), ...timingHolds(config)];
}

export function allInstances(config: ClusterConfig): { path: string; instance: PluginInstanceConfig }[] {
  return [
    ...config.probes.checks.map((instance, i) => ({ path: `probes.checks[${i}]`, instance })),
    ...config.fencing.levels.flatMap((level, l) => level.map((instance, i) => ({ path: `fencing.levels[${l}][${i}]`, instance }))),
    ...config.transports.map((instance, i) => ({ path: `transports[${i}]`, instance })),
    ...config.recovery.map((instance, i) => ({ path: `recovery[${i}]`, instance })),
    ...config.resources.map((instance, i) => ({ path: `resources[${i}]`, instance })),
  ];
}

function uniqueAddresses(config: ClusterConfig): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  const claim = (address: string, path: string): void => {
    const first = seen.get(address);
    if (first) problems.push({ path, message: `address ${address} is already used by ${first}`, fix: 'give every NIC and BMC its own address' });
    else seen.set(address, path);
  };
  for (const [nodeName, node] of Object.entries(config.nodes)) {
    for (const [role, nic] of Object.entries(node.nics)) if (nic) claim(nic.address, `nodes.${nodeName}.nics.${role}`);
    if (node.management) claim(node.management, `nodes.${nodeName}.management`);
  }
  if (config.gateway) {
    const owner = seen.get(config.gateway.address);
    if (owner) problems.push({ path: 'gateway.address', message: `the gateway ${config.gateway.address} is also ${owner}`, fix: 'the gateway must be a router outside the cluster' });
  }
  return problems;
}

function uniqueInstanceIds(config: ClusterConfig): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const { path, instance } of allInstances(config)) {
    const first = seen.get(instance.id);
    if (first) problems.push({ path: `${path}.id`, message: `id "${instance.id}" is already used at ${first}`, fix: 'give every plugin instance its own id' });
    else seen.set(instance.id, path);
  }
  return problems;
}

function overridesExist(config: ClusterConfig): Problem[] {
  const ids = new Set(allInstances(config).map((x) => x.instance.id));
  const problems: Problem[] = [];
  for (const [nodeName, node] of Object.entries(config.nodes)) {
    for (const id of Object.keys(node.overrides)) {
      if (!ids.has(id)) {
        problems.push({
          path: `nodes.${nodeName}.overrides.${id}`,
          message: `no plugin instance has id "${id}"`,
          fix: `use one of: ${[...ids].join(', ') || '(none defined)'}`,
        });
      }
    }
  }
  return problems;
}

/**
 * A primary must be able to notice it lost the lease and stop writing before
 * anyone else may take over: the TTL has to cover a renew interval, one store
 * round trip and a fence.
 */
function timingHolds(config: ClusterConfig): Problem[] {
  const t = config.timing;
  const problems: Problem[] = [];
  const needed = t.leaseRenewIntervalMs + t.storeTimeoutMs + t.fenceTimeoutMs;
  if (t.leaseTtlMs <= needed) {
    problems.push({
      path: 'timing.leaseTtlMs',
      message: `${t.leaseTtlMs} ms is too short: it must exceed leaseRenewIntervalMs + storeTimeoutMs + fenceTimeoutMs = ${needed} ms`,
      fix: `set timing.leaseTtlMs above ${needed}, or shorten those intervals`,
    });
  }
  if (t.storeTimeoutMs >= t.leaseRenewIntervalMs) {
    problems.push({
      path: 'timing.storeTimeoutMs',
      message: `${t.storeTimeoutMs} ms must be shorter than leaseRenewIntervalMs (${t.leaseRenewIntervalMs} ms)`,
      fix: 'a renewal has to finish before the next one starts',
    });
  }
  return problems;
}
