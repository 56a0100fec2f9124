import { describe, expect, it } from 'vitest';
import { renderDropRules, type DropRule } from './nft-rules.js';

describe('renderDropRules', () => {
  it('renders one replaceable table with input and output base chains and a counted drop per rule', () => {
    const text = renderDropRules({
      table: 'tandem_f3',
      rules: [
        { direction: 'in', peer: '198.51.100.1', interface: 'eth0', protocol: 'tcp', port: 5432 },
        { direction: 'out', peer: '198.51.100.0/30', protocol: 'udp', sport: 53 },
        { direction: 'in', protocol: 'icmp' },
        { direction: 'out', interface: 'veth-b.1' },
      ],
    });
    expect(text).toBe(
      [
        'table inet tandem_f3',
        'delete table inet tandem_f3',
        'table inet tandem_f3 {',
        '  chain input {',
        '    type filter hook input priority -10; policy accept;',
        '    iifname "eth0" ip saddr 198.51.100.1 meta l4proto tcp tcp dport 5432 counter drop comment "tandem-rule-0"',
        '    meta l4proto icmp counter drop comment "tandem-rule-2"',
        '  }',
        '  chain output {',
        '    type filter hook output priority -10; policy accept;',
        '    ip daddr 198.51.100.0/30 meta l4proto udp udp sport 53 counter drop comment "tandem-rule-1"',
        '    oifname "veth-b.1" counter drop comment "tandem-rule-3"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('renders empty chains for an empty rule list', () => {
    expect(renderDropRules({ table: 't', rules: [] })).toContain('chain output {\n    type filter hook output priority -10; policy accept;\n  }');
  });

  const rejected: [string, DropRule | string, RegExp][] = [
    ['a table name with a space', 'bad name', /^table must be/],
    ['an upper-case table name', 'Tandem', /^table must be/],
    ['a 33-character table name', 'a'.repeat(33), /^table must be/],
    ['a hostname as peer', { direction: 'in', peer: 'db1.example' }, /rules\[0\]\.peer must be an IPv4/],
    ['an out-of-range octet', { direction: 'in', peer: '198.51.100.256' }, /rules\[0\]\.peer/],
    ['a /33 prefix', { direction: 'out', peer: '198.51.100.0/33' }, /rules\[0\]\.peer/],
    ['a peer with an injected statement', { direction: 'out', peer: '1.2.3.4 accept;' }, /rules\[0\]\.peer/],
    ['an IPv6 peer', { direction: 'out', peer: '2001:db8::1' }, /rules\[0\]\.peer/],
    ['a 16-character interface', { direction: 'in', interface: 'a'.repeat(16) }, /rules\[0\]\.interface must be an interface name/],
    ['an interface with a quote', { direction: 'in', interface: 'eth0"' }, /rules\[0\]\.interface/],
    ['port 0', { direction: 'in', protocol: 'tcp', port: 0 }, /rules\[0\]\.port must be an integer port/],
    ['port 65536', { direction: 'in', protocol: 'tcp', port: 65536 }, /rules\[0\]\.port/],
    ['a fractional sport', { direction: 'in', protocol: 'udp', sport: 1.5 }, /rules\[0\]\.sport/],
    ['a port without protocol', { direction: 'in', port: 22 }, /rules\[0\]\.protocol must be tcp or udp when port/],
    ['a port with icmp', { direction: 'in', protocol: 'icmp', port: 22 }, /rules\[0\]\.protocol must be tcp or udp/],
    ['an unknown protocol', { direction: 'in', protocol: 'sctp' as 'tcp' }, /rules\[0\]\.protocol must be tcp, udp or icmp/],
    ['an unknown direction', { direction: 'both' as 'in' }, /rules\[0\]\.direction/],
  ];
  it.each(rejected)('rejects %s, naming the field', (_label, input, message) => {
    const ruleset = typeof input === 'string' ? { table: input, rules: [] } : { table: 'tandem_f1', rules: [input] };
    expect(() => renderDropRules(ruleset)).toThrow(message);
  });
});
