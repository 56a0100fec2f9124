import { TandemError } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { outcomeError, progressBar, renderVolumeStatus } from './volume-context.js';

describe('volume status rendering', () => {
  it('draws a bounded text bar with the percent', () => {
    expect(progressBar(0, 10)).toBe('[----------]   0.0%');
    expect(progressBar(12.6, 10)).toBe('[#---------]  12.6%');
    expect(progressBar(100, 10)).toBe('[##########] 100.0%');
    expect(progressBar(140, 10)).toBe('[##########] 100.0%');
  });

  it('one line per member, and the bar with speed and time left while recovering', () => {
    const text = renderVolumeStatus({
      device: '/dev/md/tandem-data',
      kernelName: 'md127',
      state: 'recovering',
      degraded: 'degraded: array2 rebuilding',
      members: [
        { array: 'array1', device: '/dev/sdb', state: 'in-sync' },
        { array: 'array2', device: '/dev/sdc', state: 'rebuilding' },
      ],
      progress: { percent: 50, speedKiBs: 26419, finishMinutes: 0.5 },
    });
    expect(text.split('\n')).toEqual([
      '/dev/md/tandem-data (md127): recovering - degraded: array2 rebuilding',
      '  array1  /dev/sdb    in-sync',
      '  array2  /dev/sdc    rebuilding',
      `  [${'#'.repeat(15)}${'-'.repeat(15)}]  50.0%  26419 KiB/s  0.5 min left`,
    ]);
  });
});

describe('outcomeError', () => {
  it('maps the plugin outcome to the exit-code table', () => {
    const kind = (code: Parameters<typeof outcomeError>[1]['code'], reason = 'x'): string => outcomeError('apply', { code, reason }).kind;
    expect(kind('not-installed')).toBe('preconditionFailed');
    expect(kind('timeout')).toBe('timeout');
    expect(kind('config-error')).toBe('refused');
    expect(kind('failed', 'refusing to start /dev/md/x from array2 alone')).toBe('refused');
    expect(kind('failed', 'mdadm --assemble exited 1')).toBe('failed');
    expect(outcomeError('apply', { code: 'failed', reason: 'boom' })).toBeInstanceOf(TandemError);
  });
});
