import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '@tandem/core';
import { postgresAgentOptions } from './options.js';
import { armedValue, peerStandbyNames } from './sync-guard.js';

const node = (name: string): NodeInfo => ({ name, nics: {} });

describe('sync guard names', () => {
  it('names one standby per peer, never the node itself', () => {
    const policy = { name: 'tandem_mirror_{node}', afterPromote: 'accept-writes' } as const;
    expect(peerStandbyNames(policy, node('s1'), [node('s1'), node('S-2'), node('s3')])).toEqual(['tandem_mirror_s_2', 'tandem_mirror_s3']);
    expect(peerStandbyNames(policy, node('s1'), [node('s1')])).toEqual([]);
  });

  it('arms ANY 1 of the quoted names, and nothing when there are none', () => {
    expect(armedValue(['tandem_mirror_s1', 'tandem_mirror_s2'])).toBe('ANY 1 ("tandem_mirror_s1", "tandem_mirror_s2")');
    expect(armedValue([])).toBe('');
  });

  it('is off unless configured, and names the option in its error', () => {
    const base = { dataDir: '/var/lib/postgresql/15/main', password: { env: 'PW' } };
    expect(postgresAgentOptions.parse(base).syncStandbys).toBeUndefined();
    expect(postgresAgentOptions.parse({ ...base, syncStandbys: {} }).syncStandbys).toEqual({ name: 'tandem_mirror_{node}', afterPromote: 'accept-writes' });
    const bad = postgresAgentOptions.safeParse({ ...base, syncStandbys: { name: 'Mirror-{node}' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('syncStandbys.name must be lower-case');
  });
});
