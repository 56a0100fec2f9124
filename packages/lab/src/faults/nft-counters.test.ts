import { describe, expect, it } from 'vitest';
import { droppedPackets, parseRuleCounters } from './nft-counters.js';

// Shape as printed by `nft -j list table inet tandem_f1` (nftables 1.0.6), trimmed.
const listing = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'tandem_f1', handle: 3 } },
    { chain: { family: 'inet', table: 'tandem_f1', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: -10, policy: 'accept' } },
    {
      rule: {
        family: 'inet',
        table: 'tandem_f1',
        chain: 'input',
        handle: 3,
        comment: 'tandem-rule-0',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '198.51.100.1' } },
          { counter: { packets: 7, bytes: 420 } },
          { drop: null },
        ],
      },
    },
    { rule: { family: 'inet', table: 'tandem_f1', chain: 'output', handle: 4, comment: 'tandem-rule-1', expr: [{ counter: { packets: 0, bytes: 0 } }, { drop: null }] } },
    { rule: { family: 'inet', table: 'tandem_f1', chain: 'output', handle: 5, expr: [{ counter: { packets: 2, bytes: 80 } }, { accept: null }] } },
    { rule: { family: 'inet', table: 'tandem_f1', chain: 'output', handle: 6, comment: 'tandem-rule-2', expr: [{ drop: null }] } },
  ],
});

describe('parseRuleCounters', () => {
  it('reads each counted rule with its index from the comment', () => {
    expect(parseRuleCounters(listing)).toEqual([
      { index: 0, chain: 'input', handle: 3, packets: 7, bytes: 420 },
      { index: 1, chain: 'output', handle: 4, packets: 0, bytes: 0 },
      { index: undefined, chain: 'output', handle: 5, packets: 2, bytes: 80 },
    ]);
  });

  it('answers dropped packets per rule and fails for a rule that is not listed', () => {
    const counters = parseRuleCounters(listing);
    expect(droppedPackets(counters, 0)).toBe(7);
    expect(droppedPackets(counters, 1)).toBe(0);
    expect(() => droppedPackets(counters, 2)).toThrow(/rule 2 .*tandem-rule-2.* is not in the nft listing/);
  });

  it('fails loudly on output that is not nft JSON', () => {
    expect(() => parseRuleCounters('table inet x {')).toThrow(/not JSON/);
    expect(() => parseRuleCounters('{"tables": []}')).toThrow(/no "nftables" array/);
  });
});
