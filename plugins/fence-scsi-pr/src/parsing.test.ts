import { describe, expect, it } from 'vitest';
import { parseSessionDisks } from './iscsi-sessions.js';
import { decodeKey, encodeKey, formatKey, hashNodeId, KeyScheme } from './pr-key.js';
import { sgPersistArgs } from './sg-persist-command.js';
import { parseReadKeys, parseReadReservation } from './sg-persist-output.js';
import { ISCSI_SESSIONS_P3, READ_KEYS_NONE, READ_KEYS_ONE, READ_KEYS_WITH_INQUIRY, READ_RESERVATION_HELD, READ_RESERVATION_NONE } from './testing/samples.js';

describe('keys from node id and epoch', () => {
  it('puts the node id in the top 2 bytes and the epoch in the low 6', () => {
    const key = encodeKey(0x0002, 7);
    expect(formatKey(key)).toBe('0x0002000000000007');
    expect(decodeKey(key)).toEqual({ nodeId: 2, epoch: 7 });
    expect(decodeKey(encodeKey(0xffff, 2 ** 48 - 1))).toEqual({ nodeId: 0xffff, epoch: 2 ** 48 - 1 });
    expect(() => encodeKey(0, 1)).toThrow(RangeError);
    expect(() => encodeKey(1, 2 ** 48)).toThrow(RangeError);
  });

  it('hashes a node name to a stable, non-zero 16-bit id', () => {
    expect(hashNodeId('db1')).toBe(hashNodeId('db1'));
    expect(hashNodeId('db1')).not.toBe(hashNodeId('db2'));
    for (const name of ['', 'a', 'db1', 'storage-host-12']) {
      expect(hashNodeId(name)).toBeGreaterThanOrEqual(1);
      expect(hashNodeId(name)).toBeLessThanOrEqual(0xffff);
    }
  });

  it('KeyScheme names the owner of a key and refuses two nodes with one id', () => {
    const scheme = new KeyScheme(['db1', 'db2'], { db1: 1, db2: 2 });
    expect(scheme.problem).toBeUndefined();
    expect(scheme.ownerOf(scheme.keyOf('db2', 9))).toBe('db2');
    expect(scheme.describe(encodeKey(77, 3))).toMatch(/node id 77, not a configured node, epoch 3/);
    const clash = new KeyScheme(['db1', 'db2'], { db1: 5, db2: 5 });
    expect(clash.problem).toMatch(/db1 and db2 both get node id 5.*options\.nodeIds/);
  });
});

describe('sg_persist output (samples written from the documented format)', () => {
  it('reads keys after the INQUIRY header, and the one-key and no-key wordings', () => {
    expect(parseReadKeys(READ_KEYS_WITH_INQUIRY)).toEqual({ generation: 4, keys: [0x1a2b000000000006n, 0x3c4d000000000006n] });
    expect(parseReadKeys(READ_KEYS_ONE)).toEqual({ generation: 7, keys: [0x2000000000009n] });
    expect(parseReadKeys(READ_KEYS_NONE)).toEqual({ generation: 0, keys: [] });
  });

  it('refuses a key list shorter than announced, and text that is not a PR answer', () => {
    expect(parseReadKeys('  PR generation=0x4, 2 registered reservation keys follow:\n    0x1\n')).toBeUndefined();
    expect(parseReadKeys('sg_persist: error opening file: /dev/sdz')).toBeUndefined();
  });

  it('reads the reservation holder and type, or none', () => {
    expect(parseReadReservation(READ_RESERVATION_HELD)).toEqual({ generation: 7, holder: { key: 0x2000000000009n, type: 'Write Exclusive, registrants only' } });
    expect(parseReadReservation(READ_RESERVATION_NONE)).toEqual({ generation: 7 });
    expect(parseReadReservation('  PR generation=0x7, Reservation follows:\n')).toBeUndefined();
  });

  it('builds the argv: options first, device last, keys as 0x + 16 hex digits', () => {
    const ours = 0x0002000000000007n;
    const theirs = 0x0001000000000006n;
    expect(sgPersistArgs({ kind: 'read-keys' }, '/dev/sdb')).toEqual(['--in', '--no-inquiry', '--read-keys', '/dev/sdb']);
    expect(sgPersistArgs({ kind: 'register-ignore', key: ours }, '/dev/sdb')).toEqual(['--out', '--no-inquiry', '--register-ignore', '--param-sark=0x0002000000000007', '/dev/sdb']);
    expect(sgPersistArgs({ kind: 'preempt-abort', key: ours, victim: theirs, type: 5 }, '/dev/sdb')).toEqual([
      '--out', '--no-inquiry', '--preempt-abort', '--param-rk=0x0002000000000007', '--param-sark=0x0001000000000006', '--prout-type=5', '/dev/sdb',
    ]);
    expect(sgPersistArgs({ kind: 'unregister', key: ours }, '/dev/sdb')).toEqual(['--out', '--no-inquiry', '--register', '--param-rk=0x0002000000000007', '--param-sark=0', '/dev/sdb']);
  });
});

describe('iscsiadm -m session -P 3 (sample written from the documented format)', () => {
  it('finds the sd disk of each target and LUN', () => {
    expect(parseSessionDisks(ISCSI_SESSIONS_P3)).toEqual([
      { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a', lun: 0, disk: 'sdb', portal: '10.0.3.21:3260,1' },
      { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor2:mirror-b', lun: 0, disk: 'sdc', portal: '10.0.3.22:3260,1' },
      { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor2:mirror-b', lun: 1, disk: 'sdd', portal: '10.0.3.22:3260,1' },
    ]);
    expect(parseSessionDisks('')).toEqual([]);
  });
});
