import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, HealthProbe, SimulatedClock, SystemClock, callWithDeadline, type NodeInfo } from '@tandem/core';
import { closedTcpPort } from '@tandem/testkit';
import manifest from './index.js';
import { classifyPgError } from './classify-pg-error.js';
import { createHeartbeatSql, quoteTable, upsertHeartbeatSql } from './heartbeat-sql.js';
import { PostgresProbe } from './postgres-probe.js';
import { postgresProbeOptions } from './postgres-probe-options.js';

const node: NodeInfo = { name: 'db2', nics: { public: { name: 'lo', address: '127.0.0.1', prefixLength: 8 } } };
const ctx = (timeoutMs = 2000) => ({ signal: new AbortController().signal, timeoutMs });

describe('probe-postgres options', () => {
  it('applies defaults and picks the dimension from the check', () => {
    const login = postgresProbeOptions.parse({ check: 'login', user: 'tandem' });
    expect(login).toEqual({ check: 'login', user: 'tandem', port: 5432, database: 'postgres', nic: 'public', table: 'tandem_heartbeat', defaultTimeoutMs: 3000 });
    expect(new PostgresProbe(login, new SimulatedClock(), 'db1').dimension).toBe('db-login');
    expect(new PostgresProbe(postgresProbeOptions.parse({ check: 'write', user: 'tandem' }), new SimulatedClock(), 'db1').dimension).toBe('write');
    expect(new PostgresProbe(postgresProbeOptions.parse({ check: 'write', user: 't', dimension: 'db-write' }), new SimulatedClock(), 'db1').dimension).toBe('db-write');
  });

  it('names the option and the fix when one is wrong', () => {
    expect(postgresProbeOptions.safeParse({ check: 'ping', user: 't' }).error?.issues[0]?.message).toMatch(/check must be login .* or write/);
    expect(postgresProbeOptions.safeParse({ check: 'login', user: 't', password: 'hunter2' }).error?.issues[0]?.message).toMatch(/by reference, \{ env: NAME \}/);
    expect(postgresProbeOptions.safeParse({ check: 'write', user: 't', table: 'x; drop table y' }).error?.issues[0]?.message).toMatch(/table must be a lower-case SQL name/);
    expect(postgresProbeOptions.safeParse({ check: 'write', user: 't', table: 'a.b.c' }).success).toBe(false);
    expect(postgresProbeOptions.safeParse({ check: 'login', user: 't', sslmode: 'require' }).success).toBe(false);
  });
});

describe('heartbeat SQL', () => {
  it('quotes the table and upserts the probing node with the server time', () => {
    expect(quoteTable('ops.tandem_heartbeat')).toBe('"ops"."tandem_heartbeat"');
    expect(createHeartbeatSql('tandem_heartbeat')).toBe('create table if not exists "tandem_heartbeat" (node text primary key, at timestamptz not null)');
    expect(upsertHeartbeatSql('hb')).toBe('insert into "hb" (node, at) values ($1, now()) on conflict (node) do update set at = excluded.at');
  });
});

describe('PostgreSQL errors', () => {
  const c = (code: string | undefined, message: string) => classifyPgError('login tandem@db2', { code, message });

  it('sorts server and socket errors', () => {
    expect(c('28P01', 'password authentication failed for user "tandem"')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/authentication failed \(wrong password\)/) });
    expect(c('28000', 'no pg_hba.conf entry for host')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/pg_hba/) });
    expect(c('25006', 'cannot execute INSERT in a read-only transaction')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/read-only/) });
    expect(c('57P03', 'the database system is starting up')).toMatchObject({ code: 'failed' });
    expect(c('53300', 'sorry, too many clients already')).toMatchObject({ code: 'failed' });
    expect(c('3D000', 'database "nope" does not exist')).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/options\.database/) });
    expect(c('42501', 'permission denied for table tandem_heartbeat')).toMatchObject({ code: 'config-error' });
    expect(c('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')).toMatchObject({ code: 'failed' });
    expect(c('ETIMEDOUT', 'connect ETIMEDOUT')).toMatchObject({ code: 'timeout' });
    expect(c('ENOTFOUND', 'getaddrinfo ENOTFOUND db9')).toMatchObject({ code: 'config-error' });
    expect(c(undefined, 'SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/options\.password/) });
    expect(c(undefined, 'Connection terminated unexpectedly')).toMatchObject({ code: 'failed' });
    expect(c('XX000', 'internal error')).toMatchObject({ code: 'unknown' });
  });
});

describe('PostgresProbe without a server', () => {
  it('a closed port is failed (refused)', async () => {
    const port = await closedTcpPort();
    const probe = new PostgresProbe(postgresProbeOptions.parse({ check: 'login', user: 'tandem', port }), new SystemClock(), 'db1');
    const o = await callWithDeadline(new SystemClock(), 2000, 'login', (c) => probe.check(node, c));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/ECONNREFUSED/);
  });

  it('is config-error when the NIC is absent or the password secret was never resolved', async () => {
    const noNic = new PostgresProbe(postgresProbeOptions.parse({ check: 'login', user: 't', nic: 'storage' }), new SimulatedClock(), 'db1');
    expect(await noNic.check(node, ctx())).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/nodes\.db2\.nics\.storage/) });
    const unresolved = new PostgresProbe(postgresProbeOptions.parse({ check: 'login', user: 't', password: { env: 'NOT_READ_YET' } }), new SimulatedClock(), 'db1');
    expect(await unresolved.check(node, ctx())).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/options\.password \(env:NOT_READ_YET\) was not resolved/) });
  });

  it('is composed from its manifest and keys heartbeats by the local node', () => {
    const root = new Container();
    root.bind(Clock).toConstantValue(new SimulatedClock());
    const child = new Container({ parent: root });
    const options = manifest.options.parse({ check: 'write', user: 'tandem' });
    child.load(manifest.module({ id: 'db-write', options, localNode: { name: 'db1', nics: {} }, nodes: [node] }));
    const probe = child.get<HealthProbe>(HealthProbe);
    expect(probe).toBeInstanceOf(PostgresProbe);
    expect(probe.dimension).toBe('write');
    expect(manifest.requires).toBeUndefined();
  });
});
