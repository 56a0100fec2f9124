import { describe, expect, it } from 'vitest';
import type { CommandResult } from '@tandem/core';
import { parseInRecovery, parsePgCtlStatus, parseWalReceiver, progressBytes, progressLines } from './parse.js';

const exited = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 });

describe('parsing PostgreSQL tool output', () => {
  it('reads pg_ctl status exit codes', () => {
    expect(parsePgCtlStatus(exited(0, 'pg_ctl: server is running (PID: 4242)\n/usr/lib/postgresql/15/bin/postgres "-D" "/d"'))).toEqual({ kind: 'running', pid: 4242 });
    expect(parsePgCtlStatus(exited(3, 'pg_ctl: no server running'))).toEqual({ kind: 'stopped' });
    expect(parsePgCtlStatus(exited(4, '', 'pg_ctl: directory "/d" does not exist'))).toEqual({ kind: 'no-data-dir', message: 'pg_ctl: directory "/d" does not exist' });
    expect(parsePgCtlStatus(exited(1, '', 'boom'))).toMatchObject({ kind: 'unknown', code: 'unknown' });
    expect(parsePgCtlStatus(exited(127, '', 'setpriv: failed to execute pg_ctl'))).toMatchObject({ kind: 'unknown', code: 'not-installed' });
    expect(parsePgCtlStatus({ kind: 'timeout', stdout: '', stderr: '', durationMs: 9 })).toEqual({ kind: 'unknown', message: 'pg_ctl status: no answer in time', code: 'timeout' });
  });

  it('reads pg_is_in_recovery and pg_stat_wal_receiver rows', () => {
    expect(parseInRecovery('t\n')).toBe(true);
    expect(parseInRecovery('f')).toBe(false);
    expect(parseInRecovery('')).toBeUndefined();
    expect(parseWalReceiver('streaming|198.51.100.11|5432|tandem_s2\n')).toEqual({ status: 'streaming', senderHost: '198.51.100.11', senderPort: 5432, slotName: 'tandem_s2' });
    expect(parseWalReceiver('waiting|||')).toEqual({ status: 'waiting', senderHost: '', senderPort: undefined, slotName: '' });
    expect(parseWalReceiver('\n')).toBeUndefined();
  });

  it('splits \\r-redrawn progress and finds the bytes copied', () => {
    const text = '    0/31204 kB (0%), 0/1 tablespace\r31204/31204 kB (100%), 0/1 tablespace\r31214/31214 kB (100%), 1/1 tablespace\n';
    expect(progressLines(text)).toEqual(['0/31204 kB (0%), 0/1 tablespace', '31204/31204 kB (100%), 0/1 tablespace', '31214/31214 kB (100%), 1/1 tablespace']);
    expect(progressBytes(text)).toBe(31214 * 1024);
    expect(progressBytes('pg_rewind: Done!')).toBeUndefined();
  });
});
