/** One IPv4 address as `ip -j addr show` lists it. */
export interface HostAddress {
  readonly ifname: string;
  readonly ip: string;
  readonly prefixLength: number;
  readonly label: string | undefined;
}

interface IpJsonLink {
  readonly ifname?: unknown;
  readonly addr_info?: readonly { family?: unknown; local?: unknown; prefixlen?: unknown; label?: unknown }[];
}

/** Parse `ip -j addr show`; throws on output that is not that JSON (the caller reports it). */
export function parseIpAddrJson(stdout: string): HostAddress[] {
  const links = JSON.parse(stdout) as unknown;
  if (!Array.isArray(links)) throw new Error('ip -j addr show did not print a JSON array');
  const out: HostAddress[] = [];
  for (const link of links as IpJsonLink[]) {
    if (typeof link.ifname !== 'string') continue;
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet' || typeof a.local !== 'string' || typeof a.prefixlen !== 'number') continue;
      out.push({ ifname: link.ifname, ip: a.local, prefixLength: a.prefixlen, label: typeof a.label === 'string' ? a.label : undefined });
    }
  }
  return out;
}

export type Placement =
  | { readonly kind: 'absent' }
  | { readonly kind: 'here'; readonly address: HostAddress }
  /** Present, but not where this agent puts it: another interface, another prefix, or more than once. */
  | { readonly kind: 'misplaced'; readonly found: readonly HostAddress[]; readonly why: string };

/** Where `ip` is on this host, judged against the interface and prefix the VIP belongs on. */
export function placementOf(addresses: readonly HostAddress[], ip: string, iface: string, prefixLength: number): Placement {
  const found = addresses.filter((a) => a.ip === ip);
  const [only] = found;
  if (!only) return { kind: 'absent' };
  const where = found.map((a) => `${a.ifname} (/${a.prefixLength})`).join(', ');
  if (found.length > 1) return { kind: 'misplaced', found, why: `${ip} is on this host ${found.length} times: ${where}` };
  if (only.ifname !== iface) return { kind: 'misplaced', found, why: `${ip} is on ${only.ifname}, not on ${iface}` };
  if (only.prefixLength !== prefixLength) return { kind: 'misplaced', found, why: `${ip} is on ${iface} as /${only.prefixLength}, not /${prefixLength}` };
  return { kind: 'here', address: only };
}
