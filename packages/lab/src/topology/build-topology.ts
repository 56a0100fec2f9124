import { NETWORKS, type PlannedHost } from './address-plan.js';
import { ip } from './ip-command.js';
import { namespaceName, switchNamespace, switchPortName } from './lab-names.js';

/**
 * Create the switch namespace with one bridge per network, then each host's
 * namespace with a veth per NIC into its bridge. Nothing touches the
 * machine's own namespace: the lab is unreachable from it and from outside.
 */
export async function buildTopology(labId: string, hosts: readonly PlannedHost[]): Promise<void> {
  const sw = switchNamespace(labId);
  await ip(undefined, ['netns', 'add', sw]);
  await ip(sw, ['link', 'set', 'lo', 'up']);
  const used = new Set(hosts.flatMap((h) => h.nics.map((n) => n.role)));
  for (const network of Object.values(NETWORKS).filter((n) => used.has(n.role))) {
    await ip(sw, ['link', 'add', network.bridge, 'type', 'bridge']);
    await ip(sw, ['link', 'set', network.bridge, 'up']);
  }
  let hostIndex = 0;
  for (const host of hosts) {
    hostIndex++;
    const ns = namespaceName(labId, host.name);
    await ip(undefined, ['netns', 'add', ns]);
    await ip(ns, ['link', 'set', 'lo', 'up']);
    let nicIndex = 0;
    for (const nic of host.nics) {
      nicIndex++;
      const port = switchPortName(hostIndex, nicIndex);
      await ip(sw, ['link', 'add', port, 'type', 'veth', 'peer', 'name', nic.name, 'netns', ns]);
      await ip(sw, ['link', 'set', port, 'master', NETWORKS[nic.role].bridge]);
      await ip(sw, ['link', 'set', port, 'up']);
      await ip(ns, ['addr', 'add', `${nic.address}/${nic.prefixLength}`, 'dev', nic.name]);
      await ip(ns, ['link', 'set', nic.name, 'up']);
    }
  }
}

/** The namespaces a lab with these hosts creates, the switch first. */
export function labNamespaces(labId: string, hosts: readonly PlannedHost[]): string[] {
  return [switchNamespace(labId), ...hosts.map((h) => namespaceName(labId, h.name))];
}
