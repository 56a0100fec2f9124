import { describe, expect, it } from 'vitest';
import { asPostgresUser } from './as-postgres-user.js';

describe('asPostgresUser', () => {
  it('wraps the command in setpriv as the postgres user when running as root', () => {
    expect(asPostgresUser(['/bin/initdb', '-D', '/d'], { runningAsRoot: true })).toEqual([
      'setpriv',
      '--reuid=postgres',
      '--regid=postgres',
      '--init-groups',
      '/bin/initdb',
      '-D',
      '/d',
    ]);
  });

  it('leaves the command alone for an ordinary user, and honours another user name', () => {
    expect(asPostgresUser(['postgres', '-D', '/d'], { runningAsRoot: false })).toEqual(['postgres', '-D', '/d']);
    expect(asPostgresUser(['x'], { runningAsRoot: true, user: 'pg' }).slice(0, 3)).toEqual(['setpriv', '--reuid=pg', '--regid=pg']);
  });
});
