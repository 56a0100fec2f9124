import { describe, expect, it } from 'vitest';
import { dadArgv, detectFlavour, garpArgv } from './arping-argv.js';
import { parseIpAddrJson, placementOf } from './ip-addr.js';
import { parseDad } from './parse-dad.js';

const exited = (exitCode: number, stdout: string, stderr = '') => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 }) as const;

// Trimmed from `ip -j addr show` in a lab server with the VIP on eth0.
const IP_JSON = JSON.stringify([
  { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' }, { family: 'inet6', local: '::1', prefixlen: 128 }] },
  {
    ifindex: 2,
    link_index: 7,
    ifname: 'eth0',
    address: '96:c9:4b:5e:ef:8d',
    addr_info: [
      { family: 'inet', local: '192.0.2.11', prefixlen: 24, scope: 'global', label: 'eth0' },
      { family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global', secondary: true, label: 'eth0:vip' },
      { family: 'inet6', local: 'fe80::94c9:4bff:fe5e:ef8d', prefixlen: 64, scope: 'link' },
    ],
  },
  { ifindex: 3, ifname: 'eth1', addr_info: [{ family: 'inet', local: '198.51.100.11', prefixlen: 25, label: 'eth1' }] },
  { ifindex: 4, ifname: 'eth2', addr_info: [] },
]);

describe('ip -j addr show', () => {
  const addresses = parseIpAddrJson(IP_JSON);

  it('lists IPv4 addresses with interface, prefix and label', () => {
    expect(addresses).toEqual([
      { ifname: 'lo', ip: '127.0.0.1', prefixLength: 8, label: 'lo' },
      { ifname: 'eth0', ip: '192.0.2.11', prefixLength: 24, label: 'eth0' },
      { ifname: 'eth0', ip: '192.0.2.10', prefixLength: 24, label: 'eth0:vip' },
      { ifname: 'eth1', ip: '198.51.100.11', prefixLength: 25, label: 'eth1' },
    ]);
  });

  it('judges where the VIP is: here, absent, elsewhere, with another prefix, or twice', () => {
    expect(placementOf(addresses, '192.0.2.10', 'eth0', 24).kind).toBe('here');
    expect(placementOf(addresses, '192.0.2.99', 'eth0', 24).kind).toBe('absent');
    expect(placementOf(addresses, '192.0.2.10', 'eth1', 24)).toMatchObject({ kind: 'misplaced', why: '192.0.2.10 is on eth0, not on eth1' });
    expect(placementOf(addresses, '192.0.2.10', 'eth0', 32)).toMatchObject({ kind: 'misplaced', why: '192.0.2.10 is on eth0 as /24, not /32' });
    const twice = [...addresses, { ifname: 'eth1', ip: '192.0.2.10', prefixLength: 24, label: 'eth1' }];
    expect(placementOf(twice, '192.0.2.10', 'eth0', 24)).toMatchObject({ kind: 'misplaced', why: '192.0.2.10 is on this host 2 times: eth0 (/24), eth1 (/24)' });
  });

  it('throws on output that is not the JSON list', () => {
    expect(() => parseIpAddrJson('1: lo: <LOOPBACK>')).toThrow();
    expect(() => parseIpAddrJson('{}')).toThrow(/JSON array/);
  });
});

describe('arping argv', () => {
  it('builds Habets arping argv: -0 probe, -U -S gratuitous request, -U -P -S gratuitous reply', () => {
    expect(dadArgv('habets', 'eth0', '192.0.2.10', 1000)).toEqual(['-0', '-c', '2', '-W', '0.5', '-w', '1', '-i', 'eth0', '192.0.2.10']);
    expect(garpArgv('habets', 'request', 'eth0', '192.0.2.10')).toEqual(['-U', '-S', '192.0.2.10', '-c', '1', '-w', '0.05', '-i', 'eth0', '192.0.2.10']);
    expect(garpArgv('habets', 'reply', 'eth0', '192.0.2.10')).toEqual(['-U', '-P', '-S', '192.0.2.10', '-c', '1', '-w', '0.05', '-i', 'eth0', '192.0.2.10']);
  });

  it('builds iputils arping argv: -D probe with whole seconds, -U request, -A reply', () => {
    expect(dadArgv('iputils', 'eth0', '192.0.2.10', 1500)).toEqual(['-D', '-c', '2', '-w', '2', '-I', 'eth0', '192.0.2.10']);
    expect(garpArgv('iputils', 'request', 'eth0', '192.0.2.10')).toEqual(['-U', '-c', '1', '-I', 'eth0', '192.0.2.10']);
    expect(garpArgv('iputils', 'reply', 'eth0', '192.0.2.10')).toEqual(['-A', '-c', '1', '-I', 'eth0', '192.0.2.10']);
  });

  it('tells the two arpings apart by their help text', () => {
    expect(detectFlavour('ARPing 2.23, by Thomas Habets <thomas@habets.se>\nusage: arping [ -0aAbdDeFpPqrRuUvzZ ]')).toBe('habets');
    expect(detectFlavour('Usage: arping [-fqbDUAV] [-c count] [-w timeout] [-I device] [-s source] destination')).toBe('iputils');
    expect(detectFlavour('arping from iputils 20221126')).toBe('iputils');
    expect(detectFlavour('something else')).toBeUndefined();
  });
});

describe('duplicate address detection results', () => {
  it('Habets: exit 0 with a reply is taken, naming the MAC', () => {
    const out = 'ARPING 192.0.2.10\n42 bytes from 96:C9:4B:5E:EF:8D (192.0.2.10): index=0 time=10.606 usec\n\n--- 192.0.2.10 statistics ---\n2 packets transmitted, 1 packets received,  50% unanswered (0 extra)\n';
    expect(parseDad('habets', exited(0, out))).toEqual({ kind: 'taken', mac: '96:c9:4b:5e:ef:8d' });
  });

  it('Habets: exit 1 is free only with the unanswered statistics; exit 1 from an error is an error', () => {
    const free = 'ARPING 192.0.2.10\nTimeout\nTimeout\n\n--- 192.0.2.10 statistics ---\n2 packets transmitted, 0 packets received, 100% unanswered (0 extra)\n';
    expect(parseDad('habets', exited(1, free))).toEqual({ kind: 'free' });
    const noDevice = parseDad('habets', exited(1, '', 'arping: libnet_init(LIBNET_LINK, nope0): libnet_check_iface() ioctl: No such device'));
    expect(noDevice).toMatchObject({ kind: 'error', message: expect.stringContaining('No such device') });
    expect(parseDad('habets', { kind: 'timeout', stdout: '', stderr: '', durationMs: 1 }).kind).toBe('error');
  });

  it('iputils: exit 0 is free, exit 1 with a reply is taken, anything else an error', () => {
    expect(parseDad('iputils', exited(0, 'ARPING 192.0.2.10 from 0.0.0.0 eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)'))).toEqual({ kind: 'free' });
    const reply = 'ARPING 192.0.2.10 from 0.0.0.0 eth0\nUnicast reply from 192.0.2.10 [96:C9:4B:5E:EF:8D]  0.650ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)';
    expect(parseDad('iputils', exited(1, reply))).toEqual({ kind: 'taken', mac: '96:c9:4b:5e:ef:8d' });
    expect(parseDad('iputils', exited(2, '', 'arping: Device eth9 not available.')).kind).toBe('error');
  });
});
