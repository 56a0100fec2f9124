import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWithDeadline, SystemClock, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { describeHealthProbeConformance, startStalledTcpListener, type HealthProbeSubject } from '@tandem/testkit';
import { startPostgres, type PostgresServer } from '@tandem/testkit/postgres';
import { PostgresProbe } from './postgres-probe.js';
import { postgresProbeOptions, type PostgresProbeOptionsInput } from './postgres-probe-options.js';

/**
 * Real PostgreSQL servers on 127.0.0.1: a primary, a read-only one, and one
 * whose commits wait for a synchronous standby that never comes. The server
 * listens on 127.0.0.1 only, so 127.0.0.2 on the same port is refused.
 */
const clock = new SystemClock();
const servers: PostgresServer[] = [];
let main: PostgresServer;
const PASSWORD_ENV = 'TANDEM_PROBE_PG_PASSWORD';
const target = (name: string, address: string): NodeInfo => ({ name, nics: { public: { name: 'lo', address, prefixLength: 8 } } });
const db1 = target('db1', '127.0.0.1');

beforeAll(async () => {
  main = await startPostgres({ clusterName: 'probe-main' });
  servers.push(main);
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  delete process.env[PASSWORD_ENV];
}, 60_000);

function probeFor(server: PostgresServer, extra: Partial<PostgresProbeOptionsInput> & Pick<PostgresProbeOptionsInput, 'check'>, password = server.password): PostgresProbe {
  const options = postgresProbeOptions.parse({ user: server.user, port: server.port, password: { env: PASSWORD_ENV }, ...extra });
  expect(options.password?.resolve({ [PASSWORD_ENV]: password })).toBeUndefined();
  return new PostgresProbe(options, clock, 'db9');
}

const check = (probe: PostgresProbe, node: NodeInfo, timeoutMs = 5000): Promise<Outcome<ProbeData>> => callWithDeadline(clock, timeoutMs, 'pg check', (ctx) => probe.check(node, ctx));

async function admin<T>(server: PostgresServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.connectionString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('probe-postgres against a real PostgreSQL on loopback', () => {
  it('login is ok and says primary', async () => {
    const o = await check(probeFor(main, { check: 'login' }), db1);
    expect(o.code, o.reason).toBe('ok');
    expect(o.reason).toMatch(/logged in \(primary\)/);
  });

  it('write creates the heartbeat table, then upserts the probing node row', async () => {
    const probe = probeFor(main, { check: 'write', table: 'hb_write_test' });
    const first = await check(probe, db1);
    expect(first.code, first.reason).toBe('ok');
    expect(first.reason).toMatch(/created/);
    const second = await check(probe, db1);
    expect(second.code, second.reason).toBe('ok');
    const rows = await admin(main, async (c) => (await c.query('select node, at from hb_write_test')).rows as { node: string; at: Date }[]);
    expect(rows.map((r) => r.node)).toEqual(['db9']);
  });

  it('a wrong password is failed with the auth reason', async () => {
    const o = await check(probeFor(main, { check: 'login' }, 'not-the-password'), db1);
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/authentication failed \(wrong password\).*28P01/);
  });

  it('a missing database is config-error naming the option', async () => {
    const o = await check(probeFor(main, { check: 'login', database: 'no_such_db' }), db1);
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/options\.database/);
  });

  it('a SIGSTOPped server is timeout within the deadline, with the connection closed', async () => {
    const pid = main.pid;
    expect(pid).toBeDefined();
    process.kill(-(pid as number), 'SIGSTOP');
    try {
      for (const kind of ['login', 'write'] as const) {
        const started = performance.now();
        const o = await check(probeFor(main, { check: kind }), db1, 1000);
        expect(o.code, o.reason).toBe('timeout');
        expect(performance.now() - started).toBeLessThan(1000 + 500);
      }
    } finally {
      process.kill(-(pid as number), 'SIGCONT');
    }
    expect((await check(probeFor(main, { check: 'login' }), db1)).code).toBe('ok');
  });

  it('a read-only server: login ok, write failed', async () => {
    const ro = await startPostgres({ clusterName: 'probe-ro', settings: { default_transaction_read_only: 'on' } });
    servers.push(ro);
    expect((await check(probeFor(ro, { check: 'login' }), db1)).code).toBe('ok');
    const o = await check(probeFor(ro, { check: 'write' }), db1);
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/refuses writes.*25006/);
  });

  it('a stopped server is failed', async () => {
    const gone = await startPostgres({ clusterName: 'probe-gone' });
    servers.push(gone);
    expect((await check(probeFor(gone, { check: 'login' }), db1)).code).toBe('ok');
    await gone.stop();
    for (const kind of ['login', 'write'] as const) {
      const o = await check(probeFor(gone, { check: kind }), db1);
      expect(o.code).toBe('failed');
      expect(o.reason).toMatch(/ECONNREFUSED/);
    }
  });
});

describe('probe-postgres write with a synchronous standby that never answers', () => {
  let sync: PostgresServer;
  beforeAll(async () => {
    sync = await startPostgres({ clusterName: 'probe-sync', settings: { synchronous_standby_names: 'ghost', synchronous_commit: 'on' } });
    servers.push(sync);
    // Created with a local commit, so only the probe's upsert waits for the standby.
    await admin(sync, (c) => c.query("set synchronous_commit = local; create table tandem_heartbeat (node text primary key, at timestamptz not null)"));
  }, 60_000);

  it('a commit whose sync-rep wait is cancelled (success + WARNING) is never ok', async () => {
    const canceller = admin(sync, async (c) => {
      for (let i = 0; i < 200; i++) {
        const r = await c.query("select pid from pg_stat_activity where application_name = 'tandem-probe-write' and wait_event = 'SyncRep'");
        const pid = (r.rows[0] as { pid?: number } | undefined)?.pid;
        if (pid !== undefined) return (await c.query('select pg_cancel_backend($1) as done', [pid])).rows[0] as { done: boolean };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { done: false };
    });
    const o = await check(probeFor(sync, { check: 'write' }), db1, 10_000);
    expect(await canceller).toEqual({ done: true });
    expect(o.code, o.reason).toBe('unknown');
    expect(o.reason).toMatch(/WARNING.*synchronous replication/);
  });

  it('a commit that waits for the standby past the deadline is timeout, not ok', async () => {
    const started = performance.now();
    const o = await check(probeFor(sync, { check: 'write' }), db1, 1000);
    expect(o.code, o.reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

function subject(check: 'login' | 'write', port?: number, release?: () => Promise<void>): HealthProbeSubject {
  const baseline = openSockets();
  return {
    probe: probeFor(main, { check, ...(port === undefined ? {} : { port }) }),
    healthy: db1,
    dead: target('db2', '127.0.0.2'),
    busy: async () => openSockets() > baseline,
    ...(release ? { cleanup: release } : {}),
  };
}

for (const kind of ['login', 'write'] as const) {
  describeHealthProbeConformance(`probe-postgres check=${kind} against a real PostgreSQL`, {
    create: async () => subject(kind),
    // Accepts nothing: the startup packet never gets an answer.
    slow: async () => {
      const stalled = await startStalledTcpListener();
      return subject(kind, stalled.port, () => stalled.close());
    },
  });
}
