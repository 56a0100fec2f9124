import { describe, expect, it } from 'vitest';
import { issuesToProblems } from '@tandem/core';
import plugin from './index.js';
import { initiatorIqnFor, volumeOptions } from './options.js';

const valid = {
  arrayUuid: '3F6B1C2E:9a0d4b7f:5c1e8a22:7d90e4c1',
  initiatorIqn: 'iqn.2026-12.org.tandem:{node}',
  arrays: [
    { name: 'array1', portal: '198.51.100.21', targetIqn: 'iqn.2026-12.org.tandem:array1', device: '/dev/vdb' },
    { name: 'array2', portal: '198.51.100.22', targetIqn: 'iqn.2026-12.org.tandem:array2', device: '/dev/vdb' },
  ],
};

function problems(input: unknown): { path: string; message: string; fix?: string }[] {
  const r = volumeOptions.safeParse(input, { reportInput: true }); // as the core validates plugin options
  return r.success ? [] : issuesToProblems(r.error.issues);
}

describe('volumeOptions', () => {
  it('applies defaults and lower-cases the UUID', () => {
    const o = volumeOptions.parse(valid);
    expect(o).toMatchObject({ arrayUuid: '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1', mdName: 'tandem-data', allowDegradedTakeover: false, replacementTimeoutS: 15 });
    expect(o.arrays[0]?.port).toBe(3260);
  });

  it('names the option and the fix for a bad UUID', () => {
    expect(problems({ ...valid, arrayUuid: '3f6b1c2e-9a0d-4b7f' })).toEqual([{ path: 'arrayUuid', message: expect.stringContaining('mdadm array UUID'), fix: expect.stringContaining('uuidgen') }]);
  });

  it('needs exactly two arrays, with different names, targets and portals', () => {
    expect(problems({ ...valid, arrays: [valid.arrays[0]] })[0]).toMatchObject({ path: 'arrays', message: expect.stringContaining('exactly two') });
    expect(problems({ ...valid, arrays: [valid.arrays[0], { ...valid.arrays[1], name: 'array1' }] })[0]?.message).toContain('different names');
    expect(problems({ ...valid, arrays: [valid.arrays[0], { ...valid.arrays[1], portal: '198.51.100.21' }] })[0]).toMatchObject({ path: 'arrays[1].portal', message: expect.stringContaining('same portal') });
  });

  it('refuses upper-case IQNs, a device outside /dev and an inline CHAP password', () => {
    expect(problems({ ...valid, initiatorIqn: 'iqn.2026-12.org.Tandem:{node}' })[0]?.path).toBe('initiatorIqn');
    expect(problems({ ...valid, arrays: [{ ...valid.arrays[0], device: 'vdb' }, valid.arrays[1]] })[0]?.path).toBe('arrays[0].device');
    expect(problems({ ...valid, chap: { user: 'tandem', password: 'hunter2' } })[0]).toMatchObject({ path: 'chap.password', message: expect.stringContaining('by reference') });
  });

  it('fills {node} into the initiator name', () => {
    expect(initiatorIqnFor('iqn.2026-12.org.tandem:{node}', 'db2')).toBe('iqn.2026-12.org.tandem:db2');
  });
});

describe('plugin manifest', () => {
  it('provides a ResourceAgent, needs the storage NIC, and lists iscsiadm, mdadm and mount with Debian packages', () => {
    expect(plugin.id).toBe('volume-iscsi-mirror');
    expect(plugin.provides).toEqual(['ResourceAgent']);
    expect(plugin.nicRoles).toEqual(['storage']);
    const needs = plugin.requires!(volumeOptions.parse({ ...valid, mount: { path: '/srv/tandem' } }));
    expect(needs.map((n) => [n.file, n.debianPackage])).toEqual([
      ['iscsiadm', 'open-iscsi'],
      ['iscsid', 'open-iscsi'],
      ['mdadm', 'mdadm'],
      ['mount', 'mount'],
    ]);
  });
});
