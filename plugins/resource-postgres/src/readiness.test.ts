import { describe, expect, it } from 'vitest';
import { SystemClock, type CommandResult, type CommandSpec, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import { formatLsn, parseLsn } from './lsn.js';
import { postgresAgentOptions } from './options.js';
import { PgTools } from './pg-tools.js';
import { PostgresAgent } from './postgres-agent.js';
import { parseReadinessRow, READINESS_SQL } from './readiness.js';

const BIN = '/usr/lib/postgresql/15/bin';
const nodeA: NodeInfo = { name: 'a', nics: { storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 24 } } };
const options = postgresAgentOptions.parse({ dataDir: '/nonexistent/pg/data', password: { env: 'PGPW' }, superuser: 'tandem' });
options.password.resolve({ PGPW: 'pw' });

const ctx = (timeoutMs = 30_000, signal = new AbortController().signal): ResourceCallContext => ({ signal, timeoutMs, epoch: 3 });

/** pg_ctl status answers `status`; psql answers the readiness query with `row` (or `psql`). */
function agentWith(status: CommandResult, psql: CommandResult = answer.exit(0, '')) {
  const respond = (spec: CommandSpec): CommandResult => {
    if (spec.file.endsWith('/pg_ctl') && spec.args[0] === 'status') return status;
    return psql;
  };
  const runner = recordingRunner([
    { program: 'pg_ctl', result: respond },
    { program: 'psql', result: respond },
  ]);
  const agent = new PostgresAgent(new PgTools(options, runner, BIN, false), { self: nodeA, nodes: [nodeA] }, new SystemClock());
  return { agent, runner };
}

const RUNNING = answer.exit(0, 'pg_ctl: server is running (PID: 77)');

describe('parseReadinessRow', () => {
  it('reads a standby row, a primary row, SQL NULL as undefined, and rejects anything else', () => {
    expect(parseReadinessRow('t|0/3000060|0/3000148|\n')).toEqual({ role: 'replica', replay: parseLsn('0/3000060'), receive: parseLsn('0/3000148') });
    expect(parseReadinessRow('t|0/3000060||\n')).toEqual({ role: 'replica', replay: 0x3000060, receive: undefined });
    expect(parseReadinessRow('f|||1/A0\n')).toEqual({ role: 'primary', current: 2 ** 32 + 0xa0 });
    expect(parseReadinessRow('')).toBeUndefined();
    expect(parseReadinessRow('maybe|0/1||')).toBeUndefined();
    expect(formatLsn(2 ** 32 + 0xa0)).toBe('1/A0');
  });
});

describe('PostgresAgent.readiness with a fake runner', () => {
  it('a standby is ok with its replay position, or its receive position when that is ahead', async () => {
    const replayed = await agentWith(RUNNING, answer.exit(0, 't|0/3000148|0/3000060|')).agent.readiness(ctx());
    expect(replayed).toMatchObject({ code: 'ok', data: { position: { offset: 0x3000148, label: '0/3000148' } } });
    expect(replayed.reason).toContain('replayed up to 0/3000148');
    const received = await agentWith(RUNNING, answer.exit(0, 't|0/3000060|0/4000000|')).agent.readiness(ctx());
    expect(received).toMatchObject({ code: 'ok', data: { position: { offset: 0x4000000, label: '0/4000000' } } });
    expect(received.reason).toContain('received up to 0/4000000');
  });

  it('runs pg_ctl status and one query, nothing else', async () => {
    const { agent, runner } = agentWith(RUNNING, answer.exit(0, 't|0/3000148|0/3000148|'));
    await agent.readiness(ctx());
    expect(runner.recorded.map((c) => [c.file.split('/').pop(), c.args.at(-1)])).toEqual([
      ['pg_ctl', '/nonexistent/pg/data'],
      ['psql', READINESS_SQL],
    ]);
  });

  it('a primary is ok with pg_current_wal_lsn()', async () => {
    const o = await agentWith(RUNNING, answer.exit(0, 'f|||0/5000028')).agent.readiness(ctx());
    expect(o).toMatchObject({ code: 'ok', data: { position: { offset: 0x5000028, label: '0/5000028' } } });
    expect(o.reason).toContain('runs as primary');
  });

  it('a stopped server is not-running, and the reason names the rejoin', async () => {
    const o = await agentWith(answer.exit(3, 'pg_ctl: no server running')).agent.readiness(ctx());
    expect(o.code).toBe('not-running');
    expect(o.reason).toContain('PostgreSQL is stopped');
    expect(o.reason).toContain('a former primary needs `tandem rejoin a --data`');
    // A data directory that was never made (pg_ctl exit 4, the path absent) is stopped too.
    expect((await agentWith(answer.exit(4, 'pg_ctl: directory "/nonexistent/pg/data" does not exist')).agent.readiness(ctx())).code).toBe('not-running');
  });

  it('a server that runs but cannot be asked is failed; one that answers without a position too', async () => {
    const mute = await agentWith(RUNNING, answer.exit(2, '', 'psql: error: connection to server on socket failed: FATAL:  the database system is starting up')).agent.readiness(ctx());
    expect(mute.code).toBe('failed');
    expect(mute.reason).toContain('pid 77 runs but cannot be asked');
    expect(mute.reason).toContain('starting up');
    expect((await agentWith(RUNNING, answer.exit(0, 't|||')).agent.readiness(ctx())).reason).toContain('no replay or receive position yet');
    expect((await agentWith(RUNNING, answer.exit(0, 'garbage')).agent.readiness(ctx())).code).toBe('failed');
  });

  it('a psql that does not answer in time is timeout, and an aborted call is timeout before any command', async () => {
    expect((await agentWith(RUNNING, answer.timeout()).agent.readiness(ctx())).code).toBe('timeout');
    const aborted = new AbortController();
    aborted.abort();
    const { agent, runner } = agentWith(RUNNING);
    expect((await agent.readiness(ctx(30_000, aborted.signal))).code).toBe('timeout');
    expect(runner.recorded).toHaveLength(0);
  });

  it('gives each command no more than the caller left', async () => {
    const { agent, runner } = agentWith(RUNNING, answer.exit(0, 't|0/1|0/1|'));
    await agent.readiness(ctx(4000));
    for (const c of runner.recorded) expect(c.timeoutMs).toBeLessThanOrEqual(4000);
  });

  it('is not-installed without PostgreSQL binaries', async () => {
    const none = new PostgresAgent(new PgTools(options, recordingRunner(), undefined, false), { self: nodeA, nodes: [nodeA] }, new SystemClock());
    const o = await none.readiness(ctx());
    expect(o.code).toBe('not-installed');
    expect(o.reason).toContain('apt-get install postgresql');
  });
});
