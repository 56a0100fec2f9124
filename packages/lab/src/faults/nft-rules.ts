import { isIPv4 } from 'node:net';

/**
 * One drop rule inside a fault's nftables table. `direction: 'in'` matches
 * packets arriving at this namespace (the input hook), 'out' packets leaving
 * it (the output hook). Every field that is set must match; an unset field
 * matches anything.
 */
export interface DropRule {
  readonly direction: 'in' | 'out';
  /** The other end: an IPv4 address or CIDR (source for 'in', destination for 'out'). */
  readonly peer?: string;
  /** The local NIC: iifname for 'in', oifname for 'out'. */
  readonly interface?: string;
  readonly protocol?: 'tcp' | 'udp' | 'icmp';
  /** Destination port: the remote service for 'out', the local service for 'in'. Needs tcp or udp. */
  readonly port?: number;
  /** Source port. Needs tcp or udp. */
  readonly sport?: number;
}

export interface DropRuleset {
  /** One table per fault, so healing is `delete table inet <table>`. */
  readonly table: string;
  readonly rules: readonly DropRule[];
}

/** Base chains run just before the default-priority filter chains, so a drop wins over a later accept there. */
export const NFT_CHAIN_PRIORITY = -10;

export const RULE_COMMENT_PREFIX = 'tandem-rule-';

/** The comment that names rule `index` in the ruleset; nft-counters reads it back. */
export function ruleComment(index: number): string {
  return `${RULE_COMMENT_PREFIX}${index}`;
}

/**
 * Render `nft -f -` input for one fault. The text first creates and deletes
 * the table, so applying it again replaces the old rules in one transaction
 * instead of adding duplicates. Throws an Error naming the field for any value
 * that is not what it claims to be: these strings become part of a ruleset.
 */
export function renderDropRules(ruleset: DropRuleset): string {
  const table = validateTableName(ruleset.table);
  const chains = { in: [] as string[], out: [] as string[] };
  ruleset.rules.forEach((rule, index) => {
    chains[rule.direction === 'in' ? 'in' : 'out'].push(`    ${renderRule(rule, `rules[${index}]`)} comment "${ruleComment(index)}"`);
  });
  const chain = (name: string, hook: string, lines: readonly string[]): string[] => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority ${NFT_CHAIN_PRIORITY}; policy accept;`,
    ...lines,
    '  }',
  ];
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...chain('input', 'input', chains.in),
    ...chain('output', 'output', chains.out),
    '}',
    '',
  ].join('\n');
}

function renderRule(rule: DropRule, path: string): string {
  if (rule.direction !== 'in' && rule.direction !== 'out') {
    throw new Error(`${path}.direction must be 'in' or 'out', got ${JSON.stringify(rule.direction)}`);
  }
  const incoming = rule.direction === 'in';
  const parts: string[] = [];
  if (rule.interface !== undefined) parts.push(`${incoming ? 'iifname' : 'oifname'} "${validateInterface(rule.interface, `${path}.interface`)}"`);
  if (rule.peer !== undefined) parts.push(`ip ${incoming ? 'saddr' : 'daddr'} ${validatePeer(rule.peer, `${path}.peer`)}`);
  const protocol = rule.protocol;
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp') {
    throw new Error(`${path}.protocol must be tcp, udp or icmp, got ${JSON.stringify(protocol)}`);
  }
  const ports: string[] = [];
  if (rule.port !== undefined) ports.push(`dport ${validatePort(rule.port, `${path}.port`)}`);
  if (rule.sport !== undefined) ports.push(`sport ${validatePort(rule.sport, `${path}.sport`)}`);
  if (ports.length > 0 && protocol !== 'tcp' && protocol !== 'udp') {
    throw new Error(`${path}.protocol must be tcp or udp when port or sport is set, got ${JSON.stringify(protocol)}`);
  }
  if (protocol !== undefined) parts.push(`meta l4proto ${protocol}`);
  for (const port of ports) parts.push(`${protocol} ${port}`);
  parts.push('counter', 'drop');
  return parts.join(' ');
}

export function validateTableName(table: string): string {
  if (typeof table !== 'string' || !/^[a-z0-9_]{1,32}$/.test(table)) {
    throw new Error(`table must be 1-32 characters of a-z, 0-9 and _, got ${JSON.stringify(table)}`);
  }
  return table;
}

function validateInterface(name: string, path: string): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9._-]{1,15}$/.test(name)) {
    throw new Error(`${path} must be an interface name of 1-15 characters [a-zA-Z0-9._-], got ${JSON.stringify(name)}`);
  }
  return name;
}

function validatePeer(peer: string, path: string): string {
  const [address, prefix, extra] = typeof peer === 'string' ? peer.split('/') : [];
  const prefixOk = prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
  if (address === undefined || !isIPv4(address) || !prefixOk || extra !== undefined) {
    throw new Error(`${path} must be an IPv4 address or CIDR like 198.51.100.0/24, got ${JSON.stringify(peer)}`);
  }
  return peer;
}

function validatePort(port: number, path: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${path} must be an integer port from 1 to 65535, got ${JSON.stringify(port)}`);
  }
  return port;
}
