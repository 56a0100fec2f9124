import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const srcDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(srcDir, '..', '..', '..');
const OPEN_FILES = 1024;
const IDLE_CLIENTS = 1100;
const CAP = 64; // the StatusServer default, which the child runs with
const QUIET_TIMEOUT_MS = 3000; // the default headersTimeoutMs: the longest a silent socket lives without the cap's help

/*
 * The child: a status server with its default limits, in a process whose
 * open-file limit is 1,024 (systemd's default), beside a stand-in for the HA
 * cycle that every 50 ms opens and closes a file, connects to a local "store"
 * and every 500 ms runs a command (what a demote does). It loads the
 * TypeScript source through Vite's module runner, as vitest does.
 */
const childSource = (viteUrl: string, root: string): string => `
import { createServer as createVite, createServerModuleRunner } from ${JSON.stringify(viteUrl)};
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, connect } from 'node:net';
import { execFile } from 'node:child_process';
const conditions = ['@tandem/source'];
const vite = await createVite({
  configFile: false, root: ${JSON.stringify(root)}, logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  resolve: { conditions }, ssr: { resolve: { conditions } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(vite.environments.ssr, { hmr: false });
const { StatusServer } = await runner.import(${JSON.stringify(join(srcDir, 'status-server.ts'))});
const { AgentMetrics } = await runner.import(${JSON.stringify(join(srcDir, 'metrics.ts'))});
const report = { cluster: 'c', node: 'n1', role: 'primary', epoch: 3, leaseValid: true, healthy: true, lastCycleAgeMs: 5,
  summary: 'no action: primary n1 holds lease epoch 3', maintenance: false, storeReachable: true };
const server = new StatusServer({ status: () => report }, new AgentMetrics({ cluster: 'c', node: 'n1' }), { host: '127.0.0.1', port: 0 });
const { port } = await server.start();

const store = createTcpServer((s) => s.end('ok'));
await new Promise((r) => store.listen(0, '127.0.0.1', r));
const storePort = store.address().port;
const work = { ok: 0, failures: [], maxFds: 0 };
const fail = (what, e) => { if (work.failures.length < 20) work.failures.push(what + ': ' + (e.code ?? e.message)); };
const readStore = () => new Promise((resolve, reject) => {
  const s = connect(storePort, '127.0.0.1');
  s.on('error', reject);
  s.on('data', () => undefined);
  s.on('end', () => { s.destroy(); resolve(); });
});
setInterval(async () => {
  try {
    closeSync(openSync('/etc/hostname', 'r'));
    work.maxFds = Math.max(work.maxFds, readdirSync('/proc/self/fd').length);
    await readStore();
    work.ok += 1;
  } catch (e) { fail('cycle', e); }
}, 50);
setInterval(() => execFile('true', [], { timeout: 2000 }, (e) => { if (e) fail('command', e); }), 500);

const limit = /^Max open files\\s+(\\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
process.stdout.write(JSON.stringify({ ready: true, port, limit: Number(limit) }) + '\\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line) => { if (line.includes('report')) process.stdout.write(JSON.stringify(work) + '\\n'); });
`;

interface Child {
  readonly process: ChildProcess;
  next(): Promise<Record<string, unknown>>;
}

function startChild(script: string): Child {
  // ulimit in sh (an argument array, the script path as $0): no prlimit needed.
  const child = spawn('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec "$0" "$@"`, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
  });
  return { process: child, next: () => new Promise((r) => waiting.push(r)) };
}

/** One GET on a fresh connection, like a health checker: the status code, or the error code when the server closed it. */
function getOnce(port: number, path: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

interface IdleClient {
  readonly socket: Socket;
  readonly connectedMs: number;
  closedMs?: number;
}

async function openIdle(port: number): Promise<IdleClient> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((r, reject) => socket.once('connect', r).once('error', reject));
  const client: IdleClient = { socket, connectedMs: performance.now() };
  socket.once('close', () => (client.closedMs = performance.now()));
  return client;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(`${IDLE_CLIENTS} idle connections to the status port with ${OPEN_FILES} open files (issue 14, item 6)`, () => {
  let dir: string;
  let child: Child | undefined;
  const idle: IdleClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-status-emfile-'));
    const script = join(dir, 'child.mjs');
    const viteUrl = pathToFileURL(createRequire(join(repoDir, 'package.json')).resolve('vite')).href;
    await writeFile(script, childSource(viteUrl, repoDir));
  });

  afterAll(async () => {
    for (const c of idle) c.socket.destroy();
    child?.process.kill('SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('the HA cycle keeps its descriptors, connections over the cap are closed at once, and /health answers', async () => {
    child = startChild(join(dir, 'child.mjs'));
    const hello = await child.next();
    expect(hello).toMatchObject({ ready: true, limit: OPEN_FILES });
    const port = hello.port as number;
    expect((await getOnce(port, '/health')) as { status: number }).toMatchObject({ status: 200 });

    const report = async (): Promise<{ ok: number; failures: string[]; maxFds: number }> => {
      child?.process.stdin?.write('report\n');
      return (await child?.next()) as { ok: number; failures: string[]; maxFds: number };
    };
    const before = await report();

    // The flood: 1,100 clients that connect and never speak, and never hang up themselves.
    for (let i = 0; i < IDLE_CLIENTS; i += 100) {
      idle.push(...(await Promise.all(Array.from({ length: Math.min(100, IDLE_CLIENTS - i) }, () => openIdle(port)))));
    }
    const floodEndMs = performance.now();
    await pause(300);
    const open = idle.filter((c) => c.closedMs === undefined).length;
    const closedQuickly = idle.filter((c) => c.closedMs !== undefined && c.closedMs - c.connectedMs < 1000).length;

    // A health checker that retries (a fresh connection each time), while the idle clients still hold on.
    let health: Awaited<ReturnType<typeof getOnce>> = { error: 'not tried' };
    for (let attempt = 0; attempt < 20 && !('status' in health); attempt++) {
      health = await getOnce(port, '/health');
      if (!('status' in health)) await pause(100);
    }
    const healthAfterMs = performance.now() - floodEndMs;
    const after = await report();
    const cyclesExpected = Math.floor((performance.now() - floodEndMs) / 50 / 3);

    // (a) The stand-in HA cycle never ran out of descriptors, and kept its pace through the flood.
    expect.soft(after.failures).toEqual([]);
    expect.soft(after.ok - before.ok).toBeGreaterThanOrEqual(cyclesExpected);
    expect.soft(after.maxFds).toBeLessThan(OPEN_FILES / 2);
    // (c) Over the cap the server closed them as they arrived: at most CAP stay open.
    expect.soft(open).toBeLessThanOrEqual(CAP);
    // (Under load the flood can outlast the quiet grace; the few held ones closed to make room may then live longer.)
    expect.soft(closedQuickly).toBeGreaterThanOrEqual(IDLE_CLIENTS - 2 * CAP);
    // (b) /health answered while they held on, sooner than their own timeout would have freed the slots.
    expect.soft(health).toMatchObject({ status: 200 });
    expect.soft(healthAfterMs).toBeLessThan(QUIET_TIMEOUT_MS);

    const metrics = await getOnce(port, '/metrics');
    const refused = /^tandem_status_connections_refused_total\{[^}]*\} (\d+)$/m.exec('body' in metrics ? metrics.body : '')?.[1];
    expect(Number(refused)).toBeGreaterThanOrEqual(IDLE_CLIENTS - CAP);

    for (const c of idle) c.socket.destroy();
    await pause(100);
    expect((await getOnce(port, '/health')) as { status: number }).toMatchObject({ status: 200 });
  }, 20_000);
});
