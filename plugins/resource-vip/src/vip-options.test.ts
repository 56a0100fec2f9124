import { issuesToProblems } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { parseCidr, vipOptions } from './vip-options.js';

function problems(input: unknown): string[] {
  const parsed = vipOptions.safeParse(input);
  if (parsed.success) return [];
  return issuesToProblems(parsed.error.issues, ['resources', 0, 'options']).map((p) => `${p.path}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`);
}

describe('resource-vip options', () => {
  it('fills in the defaults, the GARP schedule included', () => {
    expect(vipOptions.parse({ address: '192.0.2.10/24' })).toEqual({
      address: '192.0.2.10/24',
      nic: 'public',
      dadTimeoutMs: 1000,
      garp: { count: 5, intervalMs: 200 },
      arping: 'auto',
    });
    expect(vipOptions.parse({ address: '192.0.2.10/24', garp: { count: 2 } }).garp).toEqual({ count: 2, intervalMs: 200 });
  });

  it('names options.address and says how to write it when it is not CIDR', () => {
    for (const bad of ['192.0.2.10', '192.0.2.300/24', '192.0.2.10/33', 'vip/24', '192.0.2.10/0']) {
      const [p] = problems({ address: bad });
      expect(p, bad).toMatch(/^resources\[0\]\.options\.address: must be an IPv4 address in CIDR form \(fix: write it as address\/prefix, e\.g\. 192\.0\.2\.10\/24/);
    }
  });

  it('names the label, the interface, unknown keys and the GARP bounds', () => {
    expect(problems({ address: '192.0.2.10/24', label: 'enp0s31f6:vip-db' })).toEqual([
      'resources[0].options.label: must be at most 15 characters (a Linux limit) (fix: shorten it, e.g. eth0:vip)',
    ]);
    expect(problems({ address: '192.0.2.10/24', interface: 'eth 0' })[0]).toMatch(/^resources\[0\]\.options\.interface: must be a Linux interface name/);
    expect(problems({ address: '192.0.2.10/24', nic: 'wan' })[0]).toMatch(/^resources\[0\]\.options\.nic: must be one of "public", "storage"/);
    expect(problems({ address: '192.0.2.10/24', garp: { count: 0 } })).toEqual(['resources[0].options.garp.count: must be at least 1']);
    expect(problems({ address: '192.0.2.10/24', vip: 1 })).toEqual(['resources[0].options.vip: unknown key "vip" (fix: remove it or check its spelling)']);
  });

  it('parses CIDR text into address and prefix', () => {
    expect(parseCidr('192.0.2.10/24')).toEqual({ ip: '192.0.2.10', prefixLength: 24 });
    expect(parseCidr('192.0.2.010/32')).toEqual({ ip: '192.0.2.10', prefixLength: 32 });
    expect(parseCidr('::1/128')).toBeUndefined();
  });
});
