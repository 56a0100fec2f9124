import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, CommandRunner, PluginInstanceToken, ResourceAgent, SystemClock, type CommandResult, type CommandSpec, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import plugin from './index.js';
import { postgresAgentOptions } from './options.js';
import { PgTools } from './pg-tools.js';
import { PostgresAgent } from './postgres-agent.js';
import { baseBackupArgv, rewindArgv } from './rejoin-as-replica.js';

const BIN = '/usr/lib/postgresql/15/bin';
const nodeA: NodeInfo = { name: 'a', nics: { storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 24 } } };
const nodeB: NodeInfo = { name: 'b', nics: { storage: { name: 'eth1', address: '198.51.100.12', prefixLength: 24 } } };
const options = postgresAgentOptions.parse({ dataDir: '/nonexistent/pg/data', password: { env: 'PGPW' }, superuser: 'tandem' });
options.password.resolve({ PGPW: "s3cret 'x" });

const ctx = (primary?: NodeInfo): ResourceCallContext => ({ signal: new AbortController().signal, timeoutMs: 30_000, epoch: 3, ...(primary ? { primary } : {}) });

/** A fake host: pg_ctl status answers from `running`, psql from `inRecovery`; pg_ctl stop/start flip `running`. */
function fakeHost(init: { running: boolean; inRecovery?: boolean; psqlFails?: boolean; fastStop?: CommandResult }) {
  const host = { ...init };
  const respond = (spec: CommandSpec): CommandResult | undefined => {
    const [verb] = spec.args;
    if (spec.file.endsWith('/pg_ctl') && verb === 'status') return host.running ? answer.exit(0, 'pg_ctl: server is running (PID: 77)') : answer.exit(3, 'pg_ctl: no server running');
    if (spec.file.endsWith('/pg_ctl') && verb === 'stop') {
      if (spec.args.includes('fast') && host.fastStop) return host.fastStop;
      host.running = false;
    }
    if (spec.file.endsWith('/pg_ctl') && verb === 'start') host.running = true;
    if (spec.file.endsWith('/pg_ctl') && verb === 'promote') host.inRecovery = false;
    if (spec.file.endsWith('/psql')) {
      if (host.psqlFails) return answer.exit(2, '', 'psql: error: connection to server on socket failed: FATAL:  the database system is starting up');
      if (spec.args.at(-1) === 'select pg_is_in_recovery()') return answer.exit(0, host.inRecovery ? 't' : 'f');
      return answer.exit(0, '1');
    }
    return undefined;
  };
  const runner = recordingRunner([{ program: 'pg_ctl', result: (s) => respond(s) ?? answer.exit(0) }, { program: 'psql', result: (s) => respond(s) ?? answer.exit(0) }]);
  const agent = new PostgresAgent(new PgTools(options, runner, BIN, false), { self: nodeA, nodes: [nodeA, nodeB] }, new SystemClock());
  const commands = (): string[] => runner.recorded.map((c) => [c.file.split('/').pop(), ...c.args].join(' '));
  return { host, runner, agent, commands };
}

describe('PostgresAgent with a fake runner', () => {
  it('starts with pg_ctl -w, the port and socket dir, logging beside the data dir', async () => {
    const { agent, commands } = fakeHost({ running: false });
    expect((await agent.start(ctx())).code).toBe('ok');
    expect(commands()).toContain('pg_ctl start -w -t 29 -D /nonexistent/pg/data -l /nonexistent/pg/data.log -o -p 5432 -k /var/run/postgresql');
  });

  it('configures standby mode before starting a node that follows another primary', async () => {
    const { agent, runner } = fakeHost({ running: false });
    expect((await agent.start(ctx(nodeB))).code).toBe('ok');
    const writes = runner.recorded.filter((c) => c.file === 'tee');
    expect(writes.map((c) => c.args[0])).toEqual(['/nonexistent/pg/data/postgresql.auto.conf', '/nonexistent/pg/data/standby.signal']);
    expect(writes[0]?.input).toContain("primary_conninfo = 'host=198.51.100.12 port=5432 user=tandem password=''s3cret \\\\''x'' application_name=a'");
    expect(writes[0]?.input).toContain("primary_slot_name = 'tandem_a'");
    expect(runner.recorded.at(-1)?.args[0]).toBe('start');
  });

  it('monitor: not-running, failed when the postmaster does not answer, else the role', async () => {
    expect((await fakeHost({ running: false }).agent.monitor(ctx())).code).toBe('not-running');
    const stuck = await fakeHost({ running: true, psqlFails: true }).agent.monitor(ctx());
    expect(stuck.code).toBe('failed');
    expect(stuck.reason).toContain('runs but does not accept connections');
    expect(await fakeHost({ running: true, inRecovery: true }).agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
  });

  it('stop escalates to an immediate shutdown when the fast one does not finish', async () => {
    const { agent, commands } = fakeHost({ running: true, fastStop: answer.timeout() });
    const o = await agent.stop(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(o.reason).toContain('stopped with immediate');
    expect(commands().filter((c) => c.startsWith('pg_ctl stop'))).toEqual(['pg_ctl stop -w -t 29 -m fast -D /nonexistent/pg/data', 'pg_ctl stop -w -t 14 -m immediate -D /nonexistent/pg/data']);
  });

  it('demote stops a primary, leaves a replica alone, and stops a server whose role cannot be told', async () => {
    const primary = fakeHost({ running: true, inRecovery: false });
    expect((await primary.agent.demote(ctx())).code).toBe('ok');
    expect(primary.host.running).toBe(false);
    const replica = fakeHost({ running: true, inRecovery: true });
    expect((await replica.agent.demote(ctx())).code).toBe('ok');
    expect(replica.host.running).toBe(true);
    const mute = fakeHost({ running: true, psqlFails: true });
    expect((await mute.agent.demote(ctx())).code).toBe('ok');
    expect(mute.host.running).toBe(false);
  });

  it('promote runs pg_ctl promote, checks the result and makes a slot for each peer', async () => {
    const { agent, runner, commands } = fakeHost({ running: true, inRecovery: true });
    const o = await agent.promote(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(commands()).toContain('pg_ctl promote -w -t 29 -D /nonexistent/pg/data');
    const slotSql = runner.recorded.filter((c) => c.file.endsWith('psql')).at(-1)?.args.at(-1);
    expect(slotSql).toContain("pg_create_physical_replication_slot(s, true)) from unnest(array['tandem_b'])");
    expect((await fakeHost({ running: false }).agent.promote(ctx())).code).toBe('failed');
  });

  it('never puts the password in argv, and runs as the OS user when root', async () => {
    const { runner } = fakeHost({ running: true, inRecovery: true });
    const tools = new PgTools(options, runner, BIN, true);
    await tools.query('select 1', { signal: undefined, remainingMs: () => 5000 });
    const call = runner.recorded.at(-1);
    expect(call?.file).toBe('setpriv');
    expect(call?.args.slice(0, 4)).toEqual(['--reuid=postgres', '--regid=postgres', '--init-groups', `${BIN}/psql`]);
    expect(call?.args.join(' ')).not.toContain('s3cret');
    expect(rewindArgv(tools, '198.51.100.12').join(' ')).not.toContain('s3cret');
    expect(rewindArgv(tools, '198.51.100.12')).toEqual([`${BIN}/pg_rewind`, '--target-pgdata=/nonexistent/pg/data', '--source-server=host=198.51.100.12 port=5432 user=tandem dbname=postgres application_name=tandem-rejoin', '--progress']);
    expect(baseBackupArgv(tools, nodeA, '198.51.100.12', 'tandem_a')).toEqual([`${BIN}/pg_basebackup`, '-D', '/nonexistent/pg/data', '-X', 'stream', '-c', 'fast', '-P', '-R', '-S', 'tandem_a', '-d', 'host=198.51.100.12 port=5432 user=tandem application_name=a']);
  });

  it('answers timeout at once for an aborted call and not-installed without a server', async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect((await fakeHost({ running: true }).agent.start({ ...ctx(), signal: aborted.signal })).code).toBe('timeout');
    const none = new PostgresAgent(new PgTools(options, recordingRunner(), undefined, false), { self: nodeA, nodes: [nodeA] }, new SystemClock());
    expect((await none.monitor(ctx())).reason).toContain('apt-get install postgresql');
  });
});

describe('resource-postgres plugin manifest', () => {
  it('lists the programs it needs and binds a ResourceAgent with roles', () => {
    const required = plugin.requires?.(options) ?? [];
    expect(required.map((r) => r.file.split('/').pop())).toEqual(['pg_ctl', 'psql', 'pg_rewind', 'pg_basebackup', 'setpriv']);
    const root = new Container();
    root.bind(Clock).toConstantValue(new SystemClock());
    root.bind(CommandRunner).toConstantValue(recordingRunner());
    root.bind(PluginInstanceToken).toConstantValue({});
    root.load(plugin.module({ id: 'db', options, localNode: nodeA, nodes: [nodeA, nodeB] }));
    const agent = root.get<ResourceAgent>(ResourceAgent);
    expect(agent).toBeInstanceOf(PostgresAgent);
    expect(typeof agent.promote).toBe('function');
  });
});
