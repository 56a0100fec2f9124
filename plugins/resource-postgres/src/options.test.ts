import { describe, expect, it } from 'vitest';
import { logFileOf, postgresAgentOptions, replicationUserOf, slotNameFor } from './options.js';
import { pickHighestMajor } from './bin-dir.js';

const minimal = { dataDir: '/var/lib/postgresql/15/main', password: { env: 'PGPW' } };

function messages(input: unknown): string[] {
  const r = postgresAgentOptions.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('resource-postgres options', () => {
  it('applies the documented defaults', () => {
    const o = postgresAgentOptions.parse(minimal);
    expect(o).toMatchObject({ osUser: 'postgres', port: 5432, socketDir: '/var/run/postgresql', superuser: 'postgres', replicationNic: 'storage', slotName: 'tandem_{node}', stopMode: 'fast', demoteMode: 'stop', startTimeoutMs: 60_000 });
    expect(replicationUserOf(o)).toBe('postgres');
    expect(logFileOf(o)).toBe('/var/lib/postgresql/15/main.log');
    expect(String(o.password)).toBe('<secret env:PGPW>');
  });

  it('refuses an inline password, naming the fix', () => {
    expect(messages({ ...minimal, password: 'hunter2' }).join()).toContain('must be given by reference');
  });

  it('refuses relative or shell-unsafe paths, naming the option', () => {
    expect(messages({ ...minimal, dataDir: 'data' }).join()).toMatch(/^dataDir: dataDir must be an absolute path/);
    expect(messages({ ...minimal, socketDir: '/tmp/my sockets' }).join()).toContain('socketDir must be an absolute path of letters');
    expect(messages({ ...minimal, binDir: 'bin' }).join()).toContain('binDir must be an absolute path');
  });

  it('refuses unknown NIC roles, slot patterns that are not identifiers, and unknown options', () => {
    expect(messages({ ...minimal, replicationNic: 'eth1' }).join()).toContain('replicationNic must be one of public, storage, privateA, privateB');
    expect(messages({ ...minimal, slotName: 'Slot-{node}' }).join()).toContain('slotName must be lower-case');
    expect(messages({ ...minimal, pgdata: '/x' }).join()).toContain('pgdata');
  });

  it('derives slot names from node names, as valid identifiers', () => {
    const o = postgresAgentOptions.parse(minimal);
    expect(slotNameFor(o, 'db-2.Rack1')).toBe('tandem_db_2_rack1');
    expect(slotNameFor(postgresAgentOptions.parse({ ...minimal, slotName: 'standby' }), 'db2')).toBe('standby');
  });

  it('picks the highest installed major', () => {
    expect(pickHighestMajor(['13', '9.6', '15', 'README', '15.bak'])).toBe('15');
    expect(pickHighestMajor(['9.6', '9.5'])).toBe('9.6');
    expect(pickHighestMajor([])).toBeUndefined();
  });
});
