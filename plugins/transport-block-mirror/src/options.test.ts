import { describe, expect, it } from 'vitest';
import { blockMirrorOptions, fillNode, walDirOf } from './options.js';

const base = { arrayUuid: '6C1F0A9E:2B7D4C31:9E08A5F2:41D3B7C6', localDevice: '/dev/vdb', initiatorIqn: 'iqn.2026-12.org.tandem:{node}', mountPath: '/var/lib/postgresql/wal-mirror', stagingDir: '/var/lib/postgresql/wal-inflight' };
const messages = (input: unknown): string[] => {
  const r = blockMirrorOptions.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('blockMirrorOptions', () => {
  it('fills defaults: hold I/O while the standby is away, ext4, pg_wal, the wal-{node} target', () => {
    const o = blockMirrorOptions.parse(base);
    expect(o.arrayUuid).toBe('6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6');
    expect(o.replacementTimeoutS).toBe(-1);
    expect(o.fsType).toBe('ext4');
    expect(walDirOf(o)).toBe('/var/lib/postgresql/wal-mirror/pg_wal');
    expect(fillNode(o.targetIqn, 's2')).toBe('iqn.2026-12.org.tandem:wal-s2');
  });

  it('names the option and the fix when an option is wrong', () => {
    expect(messages({ ...base, arrayUuid: 'abc' })[0]).toMatch(/^arrayUuid: .*uuidgen/);
    expect(messages({ ...base, stagingDir: '/tmp/x y' })[0]).toMatch(/^stagingDir: .*absolute path/);
    expect(messages({ ...base, localDevice: 'vdb' })[0]).toMatch(/^localDevice: .*\/dev\/vdb/);
    expect(messages({ ...base, initiatorIqn: 'IQN.2026-12.ORG:{node}' })[0]).toMatch(/^initiatorIqn: .*lower-case/);
    expect(messages({ ...base, replacementTimeoutS: 0 })[0]).toMatch(/^replacementTimeoutS/);
    expect(messages({ ...base, extra: 1 }).length).toBe(1);
  });
});
