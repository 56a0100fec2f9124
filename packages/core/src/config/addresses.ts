import { z } from 'zod';

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** `"192.0.2.10"` or `"192.0.2.10/24"`. */
export const ipv4 = z.string().superRefine((value, ctx) => {
  if (!isIPv4(value)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an IPv4 address`, params: { fix: 'write four numbers 0-255, like 192.0.2.10' } });
  }
});

export interface ParsedCidr {
  readonly address: string;
  readonly prefixLength: number;
}

export function parseCidr(text: string, defaultPrefix = 24): ParsedCidr | string {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return `"${text}" is not an address with an optional /prefix`;
  if (!isIPv4(address)) return `"${address}" is not an IPv4 address`;
  if (prefix === undefined) return { address, prefixLength: defaultPrefix };
  const n = Number(prefix);
  if (!/^\d{1,2}$/.test(prefix) || n < 1 || n > 32) return `"/${prefix}" is not a prefix length between 1 and 32`;
  return { address, prefixLength: n };
}

export const cidr = z.string().transform((value, ctx) => {
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed, params: { fix: 'write an address like 192.0.2.10 or 192.0.2.10/24' } });
    return z.NEVER;
  }
  return parsed;
});
