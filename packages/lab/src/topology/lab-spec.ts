import { z } from 'zod';

/** The four data NICs of every server, keyed as in a Tandem config's `nodes.<name>.nics`. */
export const NIC_ROLES = ['public', 'storage', 'privateA', 'privateB'] as const;
export type NicRole = (typeof NIC_ROLES)[number];

/** Interface names inside a server's namespace: what a Debian server with four ports would show. */
export const NIC_NAMES: Readonly<Record<NicRole | 'management', string>> = {
  public: 'eth0',
  storage: 'eth1',
  privateA: 'eth2',
  privateB: 'eth3',
  // Out-of-band: reaches the BMCs only. Isolating a host cuts the four data NICs, never this one,
  // just as a real BMC network stays up when a server's data ports are cut.
  management: 'mgmt0',
};

const DOC_RANGES = ['192.0.2.', '198.51.100.', '203.0.113.'];
const docAddress = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address such as 192.0.2.11')
  .refine((a) => DOC_RANGES.some((r) => a.startsWith(r)), {
    message: 'lab addresses must come from the documentation ranges 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24, so nothing can reach a real network',
  });

const hostName = z.string().regex(/^[a-z][a-z0-9]{0,7}$/, 'a host name is 1-8 lower-case letters and digits, starting with a letter');

export const labServerSpec = z.strictObject({
  name: hostName,
  nics: z.strictObject({ public: docAddress, storage: docAddress, privateA: docAddress, privateB: docAddress }).partial().optional(),
  /** The BMC's address on the management network. */
  bmc: docAddress.optional(),
});

export const labSpecSchema = z.strictObject({
  /** Servers: the hosts that run agents and databases. */
  servers: z.array(labServerSpec).min(1).max(9),
  gateway: docAddress.default('192.0.2.1'),
  client: docAddress.default('192.0.2.100'),
  /** A store host on the public network; `redis: true` runs redis-server there. */
  store: z.strictObject({ address: docAddress.default('192.0.2.50'), redis: z.boolean().default(true), port: z.number().int().default(6379) }).optional(),
  /** Power every server through its own ipmi_sim BMC. */
  power: z.boolean().default(true),
});

export type LabSpecInput = z.input<typeof labSpecSchema>;
export type LabSpec = z.output<typeof labSpecSchema>;

/** A spec for `count` servers named s1..sN with the default address plan. */
export function serversNamed(count: number, prefix = 's'): LabSpecInput['servers'] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i + 1}` }));
}

export function parseLabSpec(input: unknown): LabSpec {
  const parsed = labSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  lab.${i.path.join('.')}: ${i.message}`);
  throw new Error(`invalid lab spec:\n${lines.join('\n')}`);
}
