import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The process wrapper runs from the compiled output, as the lab runs it.
 * `npm test` builds first; a missing build fails here, saying so.
 */
const mainJs = fileURLToPath(new URL('../../dist/faults/delay-proxy-main.js', import.meta.url));
const children: ChildProcess[] = [];
let echo: Server;
let echoPort: number;
const echoSockets = new Set<Socket>();

function assertBuilt(): void {
  // npm test builds first; a bare vitest run needs `npx tsc -b packages/lab`.
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npx tsc -b packages/lab\` first`);
}

function startMain(args: readonly string[]): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ready line within 10 s')), 10_000);
    let out = '';
    child.stdout?.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0] ?? '');
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before the ready line; stdout: ${out}`));
    });
  });
  firstLine.catch(() => undefined);
  return { child, firstLine, exit };
}

beforeAll(async () => {
  assertBuilt();
  echo = createServer((s) => {
    echoSockets.add(s);
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const s of echoSockets) s.destroy();
  if (echo !== undefined) await new Promise<void>((resolve) => echo.close(() => resolve()));
});

describe('delay-proxy-main', () => {
  it('prints its listening address, delays traffic, and exits 0 on SIGTERM', async () => {
    const { child, firstLine, exit } = startMain(['--listen', '127.0.0.1:0', '--target', `127.0.0.1:${echoPort}`, '--delay-ms', '60', '--seed', '3']);
    const ready = JSON.parse(await firstLine) as { listening: { host: string; port: number } };
    expect(ready.listening.host).toBe('127.0.0.1');
    expect(ready.listening.port).toBeGreaterThan(0);

    const socket = connect(ready.listening.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const started = performance.now();
    socket.write('ping');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
      socket.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);

    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await closed;
  });

  it('refuses bad flags with exit code 2 and names the flag', async () => {
    const child = spawn(process.execPath, [mainJs, '--listen', '127.0.0.1:0', '--target', `127.0.0.1:${echoPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--delay-ms is required/);
  });
});
