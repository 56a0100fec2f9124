import { z } from 'zod';
import { NIC_ROLES, type NicRole } from '../topology/lab-spec.js';

const DOC_RANGES = ['192.0.2.', '198.51.100.', '203.0.113.'];
const docAddress = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address such as 198.51.100.21')
  .refine((a) => DOC_RANGES.some((r) => a.startsWith(r)), { message: 'VM lab addresses must come from the documentation ranges, so nothing can reach a real network' });
const name = z.string().regex(/^[a-z][a-z0-9]{0,5}$/, 'a guest or disk name is 1-6 lower-case letters and digits, starting with a letter');
const disk = z.strictObject({ id: name, sizeMiB: z.number().int().min(8).max(4096) });

export const vmGuestSpec = z.strictObject({
  name,
  /** Addresses per NIC role; a role left out gets no NIC. Default: all four, from the namespace lab's plan. */
  nics: z.strictObject({ public: docAddress, storage: docAddress, privateA: docAddress, privateB: docAddress }).partial().optional(),
  memoryMiB: z.number().int().min(256).max(8192).default(1024),
  /** The guest's own raw disks (an "array" on a storage host). */
  disks: z.array(disk).default([]),
  /** Ids of the lab's shared disks this guest also sees (two guests on one disk: dual port). */
  sharedDisks: z.array(name).default([]),
});

export const vmLabSpec = z.strictObject({
  guests: z.array(vmGuestSpec).min(1).max(6),
  sharedDisks: z.array(disk).default([]),
  gateway: docAddress.default('192.0.2.1'),
  /** A namespace host on the public network running redis-server, for agents' coordination store. */
  store: z.strictObject({ address: docAddress.default('192.0.2.50'), port: z.number().int().default(6379) }).optional(),
  /** A namespace host on the storage network, for userspace initiators (iscsi-test-cu) run from the host. */
  tester: docAddress.optional(),
  /**
   * One IPMI BMC (ipmi_sim) per named guest, at this address on the public
   * network: guests have no management NIC, and fence-ipmi in a guest reaches
   * its peer's BMC over the public one. All live in one namespace host `bmc`.
   */
  bmcs: z.record(z.string(), docAddress).optional(),
});

export type VmGuestSpec = z.output<typeof vmGuestSpec>;
export type VmLabSpec = z.output<typeof vmLabSpec>;
export type VmLabSpecInput = z.input<typeof vmLabSpec>;

const DEFAULT_ADDRESS: Readonly<Record<NicRole, (i: number) => string>> = {
  public: (i) => `192.0.2.${11 + i}`,
  storage: (i) => `198.51.100.${11 + i}`,
  privateA: (i) => `198.51.100.${139 + i}`,
  privateB: (i) => `203.0.113.${11 + i}`,
};

export const PREFIX_LENGTH: Readonly<Record<NicRole, number>> = { public: 24, storage: 25, privateA: 25, privateB: 25 };

/** A guest's NICs in a fixed order (eth0 public, eth1 storage, eth2 privateA, eth3 privateB), with addresses filled in. */
export function guestNics(spec: VmGuestSpec, index: number): { role: NicRole; address: string }[] {
  const roles = spec.nics === undefined ? NIC_ROLES : NIC_ROLES.filter((r) => spec.nics?.[r] !== undefined);
  return roles.map((role) => ({ role, address: spec.nics?.[role] ?? DEFAULT_ADDRESS[role](index) }));
}

/**
 * Every guest's NICs with addresses filled in. Guests that name no addresses
 * are numbered among themselves: storage hosts listed first do not shift the
 * servers' plan.
 */
export function planGuestNics(spec: VmLabSpec): { role: NicRole; address: string }[][] {
  let planned = 0;
  return spec.guests.map((g) => guestNics(g, g.nics === undefined ? planned++ : 0));
}

const PUBLIC_PREFIX = '192.0.2.';

/** A BMC must be reachable from a guest's public NIC and must not take an address something else holds. */
function checkBmcs(spec: VmLabSpec): void {
  const bmcs = Object.entries(spec.bmcs ?? {});
  if (bmcs.length === 0) return;
  const names = new Set(spec.guests.map((g) => g.name));
  const taken = new Map<string, string>([[spec.gateway, 'vmlab.gateway']]);
  if (spec.store) taken.set(spec.store.address, 'vmlab.store.address');
  if (spec.tester) taken.set(spec.tester, 'vmlab.tester');
  planGuestNics(spec).forEach((nics, i) => {
    for (const n of nics) taken.set(n.address, `vmlab.guests.${spec.guests[i]?.name ?? i}.nics.${n.role}`);
  });
  for (const [guest, address] of bmcs) {
    const field = `vmlab.bmcs.${guest}`;
    if (!names.has(guest)) throw new Error(`invalid VM lab spec: ${field} names no guest (guests: ${[...names].join(', ')})`);
    const last = Number(address.slice(PUBLIC_PREFIX.length));
    if (!address.startsWith(PUBLIC_PREFIX) || !(last >= 1 && last <= 254)) {
      throw new Error(`invalid VM lab spec: ${field} is ${address}; a BMC sits on the public network (${PUBLIC_PREFIX}1-254), the only one every guest has`);
    }
    const holder = taken.get(address);
    if (holder) throw new Error(`invalid VM lab spec: ${field} is ${address}, which ${holder} already uses`);
    taken.set(address, field);
  }
}

export function parseVmLabSpec(input: unknown): VmLabSpec {
  const parsed = vmLabSpec.safeParse(input);
  if (!parsed.success) throw new Error(`invalid VM lab spec:\n${parsed.error.issues.map((i) => `  vmlab.${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const shared = new Set(parsed.data.sharedDisks.map((d) => d.id));
  for (const g of parsed.data.guests) {
    for (const id of g.sharedDisks) if (!shared.has(id)) throw new Error(`invalid VM lab spec: vmlab.guests.${g.name}.sharedDisks names ${id}, which vmlab.sharedDisks does not define`);
  }
  checkBmcs(parsed.data);
  return parsed.data;
}
