import { describe, expect, it } from 'vitest';
import type { CallContext, NodeInfo } from '@tandem/core';
import { mirrorNameFor, pidFileOf, slotFor, walMirrorOptions } from './options.js';
import { primaryHostFor } from './primary-host.js';
import { createSlotArgv, detachedArgv, receiverArgv } from './receiver-process.js';

const ctx: CallContext = { signal: new AbortController().signal, timeoutMs: 1000 };
const a: NodeInfo = { name: 'db-A', nics: { storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 24 } } };
const b: NodeInfo = { name: 'b', nics: { storage: { name: 'eth1', address: '198.51.100.12', prefixLength: 24 } } };
const c: NodeInfo = { name: 'c', nics: {} };

describe('transport-wal-mirror options and commands', () => {
  it('fills defaults and names the mirror after the node', () => {
    const o = walMirrorOptions.parse({ mirrorDir: '/var/lib/postgresql/mirror' });
    expect(mirrorNameFor(o, 'db-A')).toBe('tandem_mirror_db_a');
    expect(slotFor(o, 'db-A')).toBe('tandem_mirror_db_a');
    expect(pidFileOf(o)).toBe('/var/lib/postgresql/mirror.pid');
    expect(o).toMatchObject({ osUser: 'postgres', port: 5432, replicationNic: 'storage', createSlot: true, standby: { socketDir: '/var/run/postgresql', port: 5432 } });
  });

  it('rejects options with a message that names the option and the fix', () => {
    const r = walMirrorOptions.safeParse({ mirrorDir: 'mirror dir', mirrorName: 'Bad-Name', password: 'inline' });
    const messages = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('mirrorDir: mirrorDir must be an absolute path of letters, digits, "_", "-", "." and "/" only (it is used inside restore_command)');
    expect(messages.some((m) => m.startsWith('mirrorName: mirrorName must be lower-case letters'))).toBe(true);
    expect(messages.some((m) => m.startsWith('password: a secret must be given by reference'))).toBe(true);
  });

  it('streams from primaryHost, else the named primary, else the only peer', () => {
    const o = walMirrorOptions.parse({ mirrorDir: '/m' });
    expect(primaryHostFor({ ...o, primaryHost: '192.0.2.9' }, a, [a, b], ctx)).toBe('192.0.2.9');
    expect(primaryHostFor(o, a, [a, b], ctx)).toBe('198.51.100.12');
    expect(primaryHostFor(o, a, [a, b, c], { ...ctx, primary: b } as CallContext)).toBe('198.51.100.12');
    expect(primaryHostFor(o, a, [a, b, c], ctx)).toMatchObject({ code: 'config-error' });
    expect(primaryHostFor(o, a, [a, c], ctx)).toMatchObject({ code: 'config-error', reason: expect.stringContaining('nodes.c.nics.storage') });
  });

  it('runs pg_receivewal --synchronous with the slot and application_name, detached with a pid file', () => {
    const spec = { receivewal: '/usr/lib/postgresql/15/bin/pg_receivewal', mirrorDir: '/m', host: '198.51.100.12', port: 5432, user: 'rep', mirrorName: 'tandem_mirror_a', slot: 'tandem_mirror_a', statusIntervalS: 1 };
    const dsn = 'host=198.51.100.12 port=5432 user=rep application_name=tandem_mirror_a connect_timeout=5';
    expect(receiverArgv(spec)).toEqual([spec.receivewal, '--synchronous', '--slot', 'tandem_mirror_a', '--directory', '/m', '--status-interval', '1', '--verbose', '--dbname', dsn]);
    expect(createSlotArgv(spec)).toEqual([spec.receivewal, '--create-slot', '--if-not-exists', '--slot', 'tandem_mirror_a', '--dbname', dsn]);
    const detached = detachedArgv('/m.pid', '/m.log', ['prog', 'x y']);
    expect(detached.slice(0, 3)).toEqual(['setsid', '-f', 'sh']);
    expect(detached.slice(-4)).toEqual(['/m.pid', '/m.log', 'prog', 'x y']);
  });
});
