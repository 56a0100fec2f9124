import { describe, expect, it } from 'vitest';
import { decideAssembly, type ExaminedMember } from './assembly-decision.js';
import type { MemberSuperblock } from './parse-mdadm.js';

const UUID = '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1';
const OTHER = 'deadbeef:00000000:11111111:22222222';
const policy = { arrayUuid: UUID, allowDegradedTakeover: false, mdDevice: '/dev/md/tandem-data' };

const sb = (role: number, arrayState: string, events = 100, arrayUuid = UUID): MemberSuperblock => ({ arrayUuid, events, deviceUuid: undefined, role, arrayState: [...arrayState] });
const member = (array: string, device: string | undefined, superblock: ExaminedMember['superblock']): ExaminedMember => ({ array, device, superblock });

describe('decideAssembly: the takeover safety rules', () => {
  it('a member with another array UUID is never used: config-error naming the device and both UUIDs', () => {
    const d = decideAssembly([member('array1', '/dev/sdb', sb(0, 'AA')), member('array2', '/dev/sdc', sb(1, 'AA', 100, OTHER))], policy);
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.code).toBe('config-error');
    expect(d.reason).toContain('/dev/sdc (array2)');
    expect(d.reason).toContain(OTHER);
    expect(d.reason).toContain(UUID);
  });

  it('both members present: assemble both and let mdadm pick the fresher one by events', () => {
    const d = decideAssembly([member('array1', '/dev/sdb', sb(0, 'AA', 120)), member('array2', '/dev/sdc', sb(1, 'AA', 100))], policy);
    expect(d).toEqual({ kind: 'assemble', devices: ['/dev/sdb', '/dev/sdc'], note: expect.stringContaining('array1 is fresher (events 120 > 100), mdadm brings array2 up to date') });
  });

  it('one member that recorded the other as failed is the survivor: assemble it alone', () => {
    const d = decideAssembly([member('array1', '/dev/sdb', sb(0, 'A.')), member('array2', undefined, undefined)], policy);
    expect(d).toMatchObject({ kind: 'assemble', devices: ['/dev/sdb'], note: expect.stringContaining('survivor') });
  });

  it('one member that still believes both are active may be the stale copy: refuse, saying what to check and what overrides', () => {
    const d = decideAssembly([member('array1', undefined, undefined), member('array2', '/dev/sdc', sb(1, 'AA'))], policy);
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.code).toBe('failed');
    expect(d.reason).toContain("array1's LUN is not logged in");
    expect(d.reason).toContain('mdadm --examine /dev/sdc');
    expect(d.reason).toContain('allowDegradedTakeover');
  });

  it('allowDegradedTakeover lets the operator start from that one member anyway, and says so', () => {
    const d = decideAssembly([member('array1', undefined, undefined), member('array2', '/dev/sdc', sb(1, 'AA'))], { ...policy, allowDegradedTakeover: true });
    expect(d).toMatchObject({ kind: 'assemble', devices: ['/dev/sdc'], note: expect.stringContaining('allowDegradedTakeover is true') });
  });

  it('two members that each recorded the other as missing ran apart (split brain): refuse', () => {
    const d = decideAssembly([member('array1', '/dev/sdb', sb(0, 'A.', 300)), member('array2', '/dev/sdc', sb(1, '.A', 280))], policy);
    expect(d).toMatchObject({ kind: 'refuse', code: 'failed', reason: expect.stringContaining('split brain') });
  });

  it('blank LUNs: the mirror was never created; say how to create it', () => {
    const d = decideAssembly([member('array1', '/dev/sdb', 'none'), member('array2', '/dev/sdc', 'none')], policy);
    expect(d).toMatchObject({ kind: 'refuse', code: 'config-error', reason: expect.stringContaining('tandem volume apply --create') });
  });

  it('no LUN reachable at all: failed, pointing at the storage network', () => {
    const d = decideAssembly([member('array1', undefined, undefined), member('array2', undefined, undefined)], policy);
    expect(d).toMatchObject({ kind: 'refuse', code: 'failed', reason: expect.stringContaining('storage NIC') });
  });

  it('a blank LUN next to a survivor does not count as a member: the survivor rule decides', () => {
    expect(decideAssembly([member('array1', '/dev/sdb', sb(0, 'A.')), member('array2', '/dev/sdc', 'none')], policy)).toMatchObject({ kind: 'assemble', devices: ['/dev/sdb'] });
    expect(decideAssembly([member('array1', '/dev/sdb', sb(0, 'AA')), member('array2', '/dev/sdc', 'none')], policy).kind).toBe('refuse');
  });
});
