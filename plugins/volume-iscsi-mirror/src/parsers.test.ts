import { describe, expect, it } from 'vitest';
import { parseDetail, parseExamine } from './parse-mdadm.js';
import { parseMdstat } from './parse-mdstat.js';
import { parseIscsiSessions } from './parse-sessions.js';
import { DETAIL_CLEAN, DETAIL_FAULTY, EXAMINE_EXPORT, EXAMINE_SURVIVOR, MDSTAT_CLEAN, MDSTAT_DEGRADED, MDSTAT_RECOVERING, MDSTAT_RESYNC_AND_INACTIVE, SESSIONS_P3 } from './testing/tool-samples.js';

// The samples were captured from the real tools in the VM lab (one is written from the format): see testing/tool-samples.ts.

describe('parseIscsiSessions (iscsiadm -m session -P 3)', () => {
  it('finds each target, its portal, iface, session state and attached disk', () => {
    expect(parseIscsiSessions(SESSIONS_P3)).toEqual([
      { targetIqn: 'iqn.2026-12.org.tandem:array1', portal: '198.51.100.11:3260', iface: 'tandem-storage', sessionState: 'LOGGED_IN', disks: ['sda'] },
      // A session whose target is gone keeps its disk listed (transport-offline) and reads FREE, not LOGGED_IN.
      { targetIqn: 'iqn.2026-12.org.tandem:array2', portal: '198.51.100.12:3260', iface: 'tandem-storage', sessionState: 'FREE', disks: ['sdb'] },
    ]);
  });

  it('a session whose LUN is not scanned yet has no disk', () => {
    const text = 'Target: iqn.2026-12.org.tandem:array1 (non-flash)\n\tCurrent Portal: 198.51.100.21:3260,1\n\t\tiSCSI Session State: LOGGED_IN\n';
    expect(parseIscsiSessions(text)[0]?.disks).toEqual([]);
    expect(parseIscsiSessions('')).toEqual([]);
  });
});

describe('parseExamine (mdadm --examine [--export])', () => {
  it('reads UUID, events, role and the array state the member recorded', () => {
    expect(parseExamine(EXAMINE_EXPORT, EXAMINE_SURVIVOR)).toEqual({
      arrayUuid: '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1',
      events: 19,
      deviceUuid: 'a441b5b6:985f972d:0c01ccc9:67a1c59a',
      role: 0,
      arrayState: ['A', '.'],
    });
  });

  it('no MD_UUID means no superblock', () => {
    expect(parseExamine('', '')).toBeUndefined();
  });
});

describe('parseDetail (mdadm --detail --export)', () => {
  it('lists members with numeric roles', () => {
    const d = parseDetail(DETAIL_CLEAN);
    expect(d).toMatchObject({ arrayUuid: '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1', level: 'raid1', raidDevices: 2 });
    expect(d.members).toEqual([
      { device: '/dev/sda', role: 0 },
      { device: '/dev/sdb', role: 1 },
    ]);
  });

  it('keeps spare and faulty roles as words (mdadm 4.2 prints a faulty member as spare)', () => {
    expect(parseDetail(DETAIL_FAULTY).members[1]).toEqual({ device: '/dev/sdb', role: 'spare' });
    expect(parseDetail('MD_DEVICE_dev_sdc_ROLE=faulty\n').members).toEqual([{ device: '/dev/sdc', role: 'faulty' }]);
    expect(parseDetail('MD_DEVICE_dev_sdd_ROLE=spare\n').members).toEqual([{ device: '/dev/sdd', role: 'spare' }]);
  });
});

describe('parseMdstat (/proc/mdstat)', () => {
  it('a clean mirror: both slots up, no progress', () => {
    const [md] = parseMdstat(MDSTAT_CLEAN);
    expect(md).toMatchObject({ name: 'md127', active: true, level: 'raid1', slots: 2, inSync: 2, slotMap: 'UU', progress: undefined });
    expect(md?.members.map((m) => m.device)).toEqual(['sdb', 'sda']);
  });

  it('a degraded mirror with a faulty member', () => {
    const [md] = parseMdstat(MDSTAT_DEGRADED);
    expect(md).toMatchObject({ inSync: 1, slotMap: 'U_' });
    expect(md?.members.find((m) => m.device === 'sdb')).toMatchObject({ faulty: true, index: 1 });
  });

  it('recovery progress: percent, minutes left, speed', () => {
    expect(parseMdstat(MDSTAT_RECOVERING)[0]?.progress).toEqual({ action: 'recovery', percent: 48, finishMinutes: 0, speedKiBs: 15680 });
  });

  it('several arrays: an inactive one with a spare, and a resync', () => {
    const arrays = parseMdstat(MDSTAT_RESYNC_AND_INACTIVE);
    expect(arrays.map((a) => [a.name, a.active])).toEqual([
      ['md126', false],
      ['md127', true],
    ]);
    expect(arrays[0]?.members[0]).toMatchObject({ device: 'sdd', spare: true });
    expect(arrays[1]?.progress).toMatchObject({ action: 'resync', percent: 47, speedKiBs: 7600 });
  });
});
