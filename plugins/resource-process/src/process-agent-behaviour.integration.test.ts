import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { Clock, CommandRunner, ExecaCommandRunner, ResourceAgent, SystemClock, type ResourceCallContext } from '@tandem/core';
import { closedTcpPort } from '@tandem/testkit';
import manifest from './index.js';
import { ProcessAgent } from './process-agent.js';
import { processAgentOptions, type ProcessAgentOptions } from './process-agent-options.js';
import { processAlive } from './pid-file.js';

const ctx = (timeoutMs = 8000): ResourceCallContext => ({ signal: new AbortController().signal, timeoutMs, epoch: 42 });
const IDLE = 'setInterval(() => {}, 60000)';

let root: string;
let runs = 0;
const started: number[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-process-behaviour-'));
});
afterAll(async () => {
  for (const pid of started) if (await processAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(root, { recursive: true, force: true });
});

async function agentFor(script: string, extra: Partial<ProcessAgentOptions> = {}): Promise<{ agent: ProcessAgent; pidFile: string; dir: string }> {
  const dir = await mkdtemp(join(root, `case-${runs++}-`));
  const pidFile = join(dir, 'svc.pid');
  const options = processAgentOptions.parse({ command: [process.execPath, '-e', script], pidFile, ...extra });
  return { agent: new ProcessAgent(options, new SystemClock(), new ExecaCommandRunner()), pidFile, dir };
}

async function pidOf(pidFile: string): Promise<number> {
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  started.push(pid);
  return pid;
}

describe('resource-process against real processes', () => {
  it('starts the process in its own session with output in the log file', async () => {
    const { agent, pidFile } = await agentFor(`console.log('hello from the service'); ${IDLE}`);
    expect((await agent.start(ctx())).code).toBe('ok');
    const pid = await pidOf(pidFile);
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    expect([pgrp, session]).toEqual([pid, pid]);
    // start may return before node has run the script (200 ms grace): poll the log, bounded.
    const log = pidFile.replace(/\.pid$/, '.log');
    let text = '';
    for (let i = 0; i < 100 && !text.includes('hello'); i++) {
      await new SystemClock().sleep(50);
      text = await readFile(log, 'utf8');
    }
    expect(text).toContain('hello from the service');
    expect((await agent.stop(ctx())).code).toBe('ok');
  });

  it('reports a crashed process as failed, then start replaces the stale pid file', async () => {
    const { agent, pidFile } = await agentFor(IDLE);
    await agent.start(ctx());
    const first = await pidOf(pidFile);
    process.kill(first, 'SIGKILL');
    await new SystemClock().sleep(100);
    const crashed = await agent.monitor(ctx());
    expect(crashed.code).toBe('failed');
    expect(crashed.reason).toMatch(/not running/);
    expect((await agent.start(ctx())).code).toBe('ok');
    expect(await pidOf(pidFile)).not.toBe(first);
    expect((await agent.stop(ctx())).code).toBe('ok');
  });

  it('treats a pid file naming an unrelated live process as stale and never signals it', async () => {
    const { agent, pidFile } = await agentFor(IDLE);
    // Our own pid is alive but was not started by this agent: no state file with its start time.
    await writeFile(pidFile, `${process.pid}\n`);
    await writeFile(`${pidFile}.state.json`, JSON.stringify({ pid: process.pid, startTicks: '1', role: 'replica' }));
    expect((await agent.monitor(ctx())).code).toBe('failed');
    expect((await agent.stop(ctx())).code).toBe('ok');
    expect(await processAlive(process.pid)).toBe(true);
    expect((await agent.monitor(ctx())).code).toBe('not-running');
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    // The port opens only after the handler is installed, so start returns once SIGTERM is really ignored.
    const port = await closedTcpPort();
    const script = `process.on('SIGTERM', () => {}); require('net').createServer().listen(${port}, '127.0.0.1')`;
    const { agent, pidFile } = await agentFor(script, { stopTimeoutMs: 300, healthPort: port });
    await agent.start(ctx());
    const pid = await pidOf(pidFile);
    const o = await agent.stop(ctx());
    expect(o.code).toBe('ok');
    expect(o.reason).toMatch(/ignored SIGTERM/);
    expect(await processAlive(pid)).toBe(false);
  });

  it('fails start with the log tail when the process exits at once', async () => {
    const { agent, pidFile } = await agentFor(`console.error('config file missing'); process.exit(3)`, { startGraceMs: 5000 }); // generous: node may start slowly on a busy host
    const o = await agent.start(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/code 3.*config file missing/);
    await expect(readFile(pidFile)).rejects.toThrow(/ENOENT/);
  });

  it('is not-installed when the program does not exist', async () => {
    const dir = await mkdtemp(join(root, 'missing-'));
    const options = processAgentOptions.parse({ command: ['/nonexistent/redis-server'], pidFile: join(dir, 'r.pid') });
    const o = await new ProcessAgent(options, new SystemClock(), new ExecaCommandRunner()).start(ctx());
    expect(o.code).toBe('not-installed');
    expect(o.reason).toMatch(/apt-get install redis-server/);
  });

  it('runs the promote command with the epoch, records the role, and refuses to promote a stopped process', async () => {
    const { agent, pidFile, dir } = await agentFor(IDLE);
    const out = join(dir, 'promoted');
    const promoteScript = `require('fs').writeFileSync(${JSON.stringify(out)}, process.env.TANDEM_EPOCH + ' ' + process.env.TANDEM_ACTION)`;
    const withPromote = new ProcessAgent(
      processAgentOptions.parse({ command: [process.execPath, '-e', IDLE], pidFile, promote: [process.execPath, '-e', promoteScript] }),
      new SystemClock(),
      new ExecaCommandRunner(),
    );
    expect((await withPromote.promote(ctx())).code).toBe('failed');
    await withPromote.start(ctx());
    await pidOf(pidFile);
    expect((await withPromote.promote(ctx())).code).toBe('ok');
    expect(await readFile(out, 'utf8')).toBe('42 promote');
    expect(JSON.parse(await readFile(`${pidFile}.state.json`, 'utf8')).role).toBe('primary');
    expect((await agent.monitor(ctx())).data?.role).toBe('primary');
    expect((await withPromote.stop(ctx())).code).toBe('ok');
  });

  it('is composed from its manifest and declares the programs it runs', () => {
    const root = new Container();
    root.bind(Clock).toConstantValue(new SystemClock());
    root.bind(CommandRunner).toConstantValue(new ExecaCommandRunner());
    const options = manifest.options.parse({ command: ['redis-server', '/etc/redis.conf'], pidFile: '/run/tandem/redis.pid', promote: ['redis-cli', 'replicaof', 'no', 'one'] });
    const child = new Container({ parent: root });
    const node = { name: 'db1', nics: {} };
    child.load(manifest.module({ id: 'redis', options, localNode: node, nodes: [node] }));
    expect(child.get(ResourceAgent)).toBeInstanceOf(ProcessAgent);
    expect(manifest.requires?.(options)).toEqual([
      { file: 'redis-server', why: 'resource-process: the managed process', debianPackage: 'redis-server' },
      { file: 'redis-cli', why: 'resource-process: promote', debianPackage: 'redis-tools' },
    ]);
    expect(processAgentOptions.safeParse({ command: ['x'], pidFile: 'relative.pid' }).success).toBe(false);
  });
});
