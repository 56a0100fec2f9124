import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TandemError } from '@tandem/core';
import { pollUntil } from '../poll.js';

export interface DemoNode {
  readonly name: string;
  readonly address: string;
  readonly agent: ChildProcess;
}

/** The demo's service port on each node's address (see examples/demo.yaml). */
export const SERVICE_PORT = 15432;

/** Copy the example config with every path moved into the demo's own directory. */
export async function writeDemoConfig(template: string, dir: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(template, 'utf8');
  } catch (error) {
    throw new TandemError('preconditionFailed', `the demo needs ${template}`, { problems: [{ path: template, message: 'not readable', fix: 'run the demo from a clone of the Tandem repository' }], cause: error });
  }
  const file = join(dir, 'demo.yaml');
  await writeFile(file, text.replaceAll('/tmp/tandem-demo', dir));
  return file;
}

/** The port of the stand-in gateway on 127.0.0.1 (the `gateway` probe in examples/demo.yaml). */
export const GATEWAY_PORT = 18080;

/** A stand-in for the router: a process accepting TCP on 127.0.0.1, so that the gateway check needs neither root nor ping. */
export function startGateway(detached: boolean): ChildProcess {
  const script = `require('node:net').createServer((s) => s.end()).listen(${GATEWAY_PORT}, '127.0.0.1')`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore', detached });
}

/** Start one agent process per node; their output goes to <dir>/log/<node>.log. */
export async function startAgents(bin: string, configFile: string, dir: string, nodes: readonly { name: string; address: string }[], detached: boolean, extraPids: readonly (number | undefined)[]): Promise<DemoNode[]> {
  await mkdir(join(dir, 'log'), { recursive: true });
  const started: DemoNode[] = [];
  for (const n of nodes) {
    const log = await open(join(dir, 'log', `${n.name}.log`), 'a');
    const agent = spawn(process.execPath, [bin, 'agent', 'start', '--config', configFile, '--node', n.name, '--log-format', 'json', '--state-dir', dir], {
      stdio: ['ignore', log.fd, log.fd],
      detached,
      env: { ...process.env, TANDEM_LOG_LEVEL: 'info' },
    });
    await log.close();
    started.push({ name: n.name, address: n.address, agent });
  }
  await writeFile(join(dir, 'agents.pid'), `${[...started.map((n) => n.agent.pid), ...extraPids].filter((p) => p !== undefined).join('\n')}\n`);
  return started;
}

/** True when something accepts a TCP connection at address:port within `timeoutMs`. */
export function accepts(address: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Poll until `test` gives a value; a timeout says where to look. */
export function waitFor<T>(what: string, timeoutMs: number, everyMs: number, test: () => Promise<T | undefined>): Promise<T> {
  return pollUntil(`demo: ${what}`, timeoutMs, everyMs, test, () => ({ path: 'demo', message: 'see the agent logs', fix: 'run with --keep and look at <dir>/log and `tandem events`' }));
}

/** Kill a process and its group without waiting for it to say goodbye: a crash, not a shutdown. */
export function crash(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
