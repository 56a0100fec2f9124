import { z } from 'zod';

/** Linux refuses interface names and address labels longer than IFNAMSIZ - 1. */
export const MAX_LABEL_CHARS = 15;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** An IPv4 address with its prefix, as `ip addr add` takes it. */
export interface Cidr {
  readonly ip: string;
  readonly prefixLength: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength < 1 || prefixLength > 32) return undefined;
  // Normalise leading zeros away: "192.0.2.010" would mean something else to some tools.
  return { ip: octets.join('.'), prefixLength };
}

const ifaceName = z.string().refine((s) => /^[A-Za-z0-9_.-]{1,15}$/.test(s), {
  message: 'must be a Linux interface name (1-15 letters, digits, . _ -)',
  params: { fix: 'use the name `ip link` shows, e.g. eth0' },
});

export const vipOptions = z.strictObject({
  /** The virtual address with its prefix length, e.g. 192.0.2.10/24. */
  address: z.string().refine((s) => parseCidr(s) !== undefined, {
    message: 'must be an IPv4 address in CIDR form',
    params: { fix: 'write it as address/prefix, e.g. 192.0.2.10/24, with the prefix of the network it lives on' },
  }),
  /** Which NIC role of the local node carries the VIP; its interface comes from nodes.<name>.nics.<role>. */
  nic: z.enum(['public', 'storage', 'privateA', 'privateB']).default('public'),
  /** Use this interface instead of the one the node's NIC role names. */
  interface: ifaceName.optional(),
  /** Address label (`ip addr ... label`); default `<interface>:vip`. Must start with the interface name. */
  label: z
    .string()
    .refine((s) => s.length <= MAX_LABEL_CHARS, { message: `must be at most ${MAX_LABEL_CHARS} characters (a Linux limit)`, params: { fix: 'shorten it, e.g. eth0:vip' } })
    .refine((s) => /^[A-Za-z0-9_.:-]+$/.test(s), { message: 'may hold only letters, digits and . _ : -', params: { fix: 'write it as <interface>:<name>, e.g. eth0:vip' } })
    .optional(),
  /** How long duplicate-address detection listens for an owner before adding the address. */
  dadTimeoutMs: z.number().int().min(100).max(30_000).default(1000),
  /** Gratuitous ARP after adding the address: `count` rounds of both forms, `intervalMs` apart. */
  garp: z
    .strictObject({
      count: z.number().int().min(1).max(50).default(5),
      intervalMs: z.number().int().min(10).max(10_000).default(200),
    })
    .prefault({}),
  /** Which arping is installed: Thomas Habets' (Debian package `arping`) or iputils' (`iputils-arping`). */
  arping: z.enum(['auto', 'habets', 'iputils']).default('auto'),
});

export type VipOptions = z.output<typeof vipOptions>;
