import { describe, expect, it } from 'vitest';
import { labPreflight } from './lab-preflight.js';

describe('labPreflight', () => {
  it('names every missing program and the one apt-get line that installs them', () => {
    const present = new Set(['ip', 'setsid', 'setpriv']);
    const run = (): void => labPreflight({ power: true, redis: true, postgres: true }, () => false, { uid: 0, onPath: (c) => present.has(c) });
    expect(run).toThrow(/missing programs: nft, ipmi_sim, ipmitool, redis-server, postgres/);
    expect(run).toThrow(/apt-get install -y nftables openipmi ipmitool redis-server postgresql/);
  });

  it('says a non-root run needs root', () => {
    expect(() => labPreflight({ power: false, redis: false, postgres: false }, () => true, { uid: 1000, onPath: () => true })).toThrow(/not root/);
  });

  it('passes when everything is there', () => {
    expect(() => labPreflight({ power: true, redis: true, postgres: true }, () => true, { uid: 0, onPath: () => true })).not.toThrow();
  });
});
