import { NIC_NAMES, NIC_ROLES, type LabSpec, type NicRole } from './lab-spec.js';

/** One network of the lab: a bridge in the switch namespace and its prefix. */
export interface LabNetwork {
  readonly role: NicRole | 'management';
  readonly bridge: string;
  readonly prefixLength: number;
}

/**
 * The address plan. Every network is a documentation range, so a mistake can
 * never route to anything real:
 *   public     192.0.2.0/24        servers .11+, gateway .1, store .50, client .100 (the VIP of issue 5 is .10)
 *   storage    198.51.100.0/25     servers .11+
 *   privateA   198.51.100.128/25   servers .139+
 *   privateB   203.0.113.0/25      servers .11+
 *   management 203.0.113.128/25    servers' mgmt0 .131+, BMCs .201+
 */
export const NETWORKS: Readonly<Record<NicRole | 'management', LabNetwork>> = {
  public: { role: 'public', bridge: 'br-public', prefixLength: 24 },
  storage: { role: 'storage', bridge: 'br-storage', prefixLength: 25 },
  privateA: { role: 'privateA', bridge: 'br-priva', prefixLength: 25 },
  privateB: { role: 'privateB', bridge: 'br-privb', prefixLength: 25 },
  management: { role: 'management', bridge: 'br-mgmt', prefixLength: 25 },
};

export interface LabNic {
  readonly role: NicRole | 'management';
  /** Interface name inside the host's namespace. */
  readonly name: string;
  readonly address: string;
  readonly prefixLength: number;
}

export type LabHostKind = 'server' | 'gateway' | 'client' | 'store' | 'bmc';

export interface PlannedHost {
  readonly name: string;
  readonly kind: LabHostKind;
  readonly nics: readonly LabNic[];
  /** For servers: the BMC's address on the management network. */
  readonly bmcAddress?: string;
}

function nic(role: NicRole | 'management', address: string, name = NIC_NAMES[role]): LabNic {
  return { role, name, address, prefixLength: NETWORKS[role].prefixLength };
}

const DEFAULT_BASES: Readonly<Record<NicRole, string>> = {
  public: '192.0.2.',
  storage: '198.51.100.',
  privateA: '198.51.100.',
  privateB: '203.0.113.',
};
const DEFAULT_OFFSETS: Readonly<Record<NicRole, number>> = { public: 10, storage: 10, privateA: 138, privateB: 10 };

/** Every host of the lab with its NICs and addresses, filled in from the spec's defaults. */
export function planHosts(spec: LabSpec): PlannedHost[] {
  const servers: PlannedHost[] = spec.servers.map((server, i) => {
    const nics = NIC_ROLES.map((role) => nic(role, server.nics?.[role] ?? `${DEFAULT_BASES[role]}${DEFAULT_OFFSETS[role] + i + 1}`));
    nics.push(nic('management', `203.0.113.${131 + i}`));
    return { name: server.name, kind: 'server', nics, bmcAddress: server.bmc ?? `203.0.113.${201 + i}` };
  });
  const hosts: PlannedHost[] = [
    ...servers,
    { name: 'gateway', kind: 'gateway', nics: [nic('public', spec.gateway)] },
    { name: 'client', kind: 'client', nics: [nic('public', spec.client)] },
  ];
  if (spec.store) hosts.push({ name: 'store', kind: 'store', nics: [nic('public', spec.store.address)] });
  if (spec.power) {
    // One namespace holds every BMC, each on its own address, like a management switch full of BMC ports.
    const bmcNics = servers.map((s, i) => nic('management', s.bmcAddress ?? '', `bmc${i + 1}`));
    hosts.push({ name: 'bmc', kind: 'bmc', nics: bmcNics });
  }
  assertUnique(hosts);
  return hosts;
}

function assertUnique(hosts: readonly PlannedHost[]): void {
  const seen = new Map<string, string>();
  for (const host of hosts) {
    if (['gateway', 'client', 'store', 'bmc'].includes(host.name) && host.kind === 'server') {
      throw new Error(`lab.servers: "${host.name}" is a reserved host name; pick another`);
    }
    for (const n of host.nics) {
      const owner = seen.get(n.address);
      if (owner !== undefined) throw new Error(`lab: address ${n.address} is used by both ${owner} and ${host.name}; give one of them another address`);
      seen.set(n.address, host.name);
    }
  }
}
