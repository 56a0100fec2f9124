import type { ClusterConfig } from '@tandem/core';
import type { LabSpecInput } from '../topology/lab-spec.js';

/**
 * The lab a Tandem config describes: one server per node, at the node's own
 * addresses (which must be in the documentation ranges, as every lab
 * address is), its BMC at the node's management address, the gateway and a
 * Redis store where the config says. An operator can try a config this way
 * before deploying it.
 */
export function labSpecFromConfig(config: ClusterConfig): LabSpecInput {
  const servers = Object.entries(config.nodes).map(([name, node]) => ({
    name,
    nics: Object.fromEntries(Object.entries(node.nics).flatMap(([role, nic]) => (nic === undefined ? [] : [[role, nic.address]]))),
    ...(node.management !== undefined ? { bmc: node.management } : {}),
  }));
  const store = config.store.type === 'redis' && config.store.mode !== 'sentinel' ? { address: config.store.host, port: config.store.port } : undefined;
  return {
    servers,
    ...(config.gateway?.address !== undefined ? { gateway: config.gateway.address } : {}),
    ...(store ? { store } : {}),
  };
}
