import { describe, expect, it } from 'vitest';
import { parseDetail } from './parse-mdadm.js';
import { parseMdstat } from './parse-mdstat.js';
import { DETAIL_CLEAN, DETAIL_FAULTY, MDSTAT_CLEAN, MDSTAT_DEGRADED, MDSTAT_RECOVERING } from './testing/tool-samples.js';
import { describeStatus, volumeStatus, type StatusInput } from './volume-status.js';

const base = (over: Partial<StatusInput>): StatusInput => ({
  device: '/dev/md/tandem-data',
  arrays: ['array1', 'array2'],
  disks: new Map([
    ['array1', 'sda'],
    ['array2', 'sdb'],
  ]),
  kernelName: 'md127',
  mdstat: parseMdstat(MDSTAT_CLEAN)[0],
  detail: parseDetail(DETAIL_CLEAN),
  ...over,
});

describe('volumeStatus', () => {
  it('clean: both members in sync, no degraded note', () => {
    const s = volumeStatus(base({}));
    expect(s).toMatchObject({ state: 'clean', kernelName: 'md127' });
    expect(s.members).toEqual([
      { array: 'array1', device: '/dev/sda', state: 'in-sync' },
      { array: 'array2', device: '/dev/sdb', state: 'in-sync' },
    ]);
    expect(s.degraded).toBeUndefined();
  });

  it('degraded with a faulty member (mdstat (F); mdadm --detail says spare): the note names it', () => {
    const s = volumeStatus(base({ mdstat: parseMdstat(MDSTAT_DEGRADED)[0], detail: parseDetail(DETAIL_FAULTY) }));
    expect(s.state).toBe('degraded');
    expect(s.members[1]?.state).toBe('faulty');
    expect(s.degraded).toBe('degraded: array2 faulty');
  });

  it('degraded because the LUN is gone: the member is missing', () => {
    const detail = parseDetail('MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1\nMD_DEVICES=2\nMD_DEVICE_dev_sda_ROLE=0\nMD_DEVICE_dev_sda_DEV=/dev/sda\n');
    const s = volumeStatus(base({ mdstat: parseMdstat(MDSTAT_DEGRADED)[0], detail, disks: new Map([['array1', 'sda'], ['array2', undefined]]) }));
    expect(s.members[1]).toEqual({ array: 'array2', device: undefined, state: 'missing' });
    expect(s.degraded).toBe('degraded: array2 missing');
  });

  it('recovering: the rebuilding member and the progress', () => {
    const s = volumeStatus(base({ mdstat: parseMdstat(MDSTAT_RECOVERING)[0] }));
    expect(s.state).toBe('recovering');
    expect(s.members[1]?.state).toBe('rebuilding');
    expect(s.progress).toEqual({ percent: 48, finishMinutes: 0, speedKiBs: 15680 });
    expect(describeStatus(s)).toBe('/dev/md/tandem-data recovering (48%, 0 min left): array1 in-sync, array2 rebuilding');
  });

  it('absent and inactive', () => {
    expect(volumeStatus(base({ kernelName: undefined, mdstat: undefined, detail: undefined })).state).toBe('absent');
    const inactive = parseMdstat('md127 : inactive sda[0](S)\n      1046528 blocks super 1.2\n')[0];
    expect(volumeStatus(base({ mdstat: inactive, detail: undefined })).state).toBe('inactive');
  });
});
