import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres-server.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function selectOne(server: PostgresServer): Promise<{ one: number; name: string }> {
  const client = new pg.Client({ connectionString: server.connectionString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<{ one: number; name: string }>("select 1 as one, current_setting('cluster_name') as name");
    return result.rows[0] ?? { one: 0, name: '' };
  } finally {
    await client.end();
  }
}

describe('startPostgres (real PostgreSQL on 127.0.0.1)', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres({ clusterName: 'harness-a' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers SELECT 1 over TCP with the scram password, naming itself by cluster_name', async () => {
    expect(await selectOne(server)).toEqual({ one: 1, name: 'harness-a' });
  });

  it('refuses a wrong password', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: 'wrong', database: 'postgres' });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('survives kill() + restart() (crash recovery) and leaves nothing behind after stop()', async () => {
    const firstPid = server.pid;
    await server.kill();
    expect(alive(firstPid)).toBe(false);
    expect(server.pid).toBeUndefined();
    await server.restart();
    expect(await selectOne(server)).toEqual({ one: 1, name: 'harness-a' });
    const pid = server.pid;
    await server.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(dirname(server.dataDir))).toBe(false);
  });
});
