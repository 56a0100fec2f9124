import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(packageDir, '..', '..');
const PROCESSES = 6;
const ROUNDS = 40;

/*
 * A child agent: plain ESM that loads this package's TypeScript source
 * through Vite's module runner (what vitest itself uses), so the children run
 * exactly the code under test without a build step. It opens the store, says
 * ready, waits for "go", then races: for the lease once or in a loop, or to
 * record the lease holder's promotion at the epoch given in place of the rounds.
 */
const childSource = (viteUrl: string, entry: string, root: string): string => `
import { createServer, createServerModuleRunner } from ${JSON.stringify(viteUrl)};
const conditions = ['@tandem/source'];
const server = await createServer({
  configFile: false, root: ${JSON.stringify(root)}, logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  resolve: { conditions }, ssr: { resolve: { conditions } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
const { SqliteCoordinationStore } = await runner.import(${JSON.stringify(entry)});
const [path, node, mode, rounds] = process.argv.slice(2);
const store = new SqliteCoordinationStore({ path, busyTimeoutMs: 5000 });
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
process.stdout.write('ready\\n');
await new Promise((r) => process.stdin.once('data', r));
if (mode === 'once') {
  const result = await store.acquireLease(node, 60000);
  process.stdout.write(JSON.stringify({ node, result }) + '\\n');
} else if (mode === 'record') {
  // Every racer records the lease holder's promotion ('racer'), told apart by atWallMs (its index).
  const written = await store.recordPrimary({ node: 'racer', epoch: Number(rounds), atWallMs: Number(node.slice('proc-'.length)) });
  process.stdout.write(JSON.stringify({ node, written }) + '\\n');
} else {
  for (let i = 0; i < Number(rounds); i++) {
    const result = await store.acquireLease(node, 5000);
    if (result.acquired) {
      const heldFromMs = Date.now();
      await pause(2);
      const heldToMs = Date.now();
      const released = await store.releaseLease(node, result.lease.epoch);
      process.stdout.write(JSON.stringify({ node, epoch: result.lease.epoch, heldFromMs, heldToMs, released }) + '\\n');
    } else {
      await pause(1 + Math.floor(Math.random() * 3));
    }
  }
}
await store.close();
await runner.close();
await server.close();
`;

interface Racer {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly ready: Promise<void>;
  readonly done: Promise<number | null>;
}

function startRacer(script: string, args: string[]): Racer {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) (line === 'ready' ? markReady() : lines.push(line));
  });
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, ready, done };
}

async function race(script: string, args: (i: number) => string[]): Promise<string[][]> {
  const racers = Array.from({ length: PROCESSES }, (_, i) => startRacer(script, args(i)));
  try {
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin?.end('go\n');
    const codes = await Promise.all(racers.map((r) => r.done));
    expect(codes).toEqual(racers.map(() => 0));
    return racers.map((r) => r.lines);
  } finally {
    for (const r of racers) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  }
}

describe('SqliteCoordinationStore shared by several OS processes', () => {
  let dir: string;
  let script: string;
  let path: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-race-'));
    path = join(dir, 'store.sqlite');
    script = join(dir, 'racer.mjs');
    const viteUrl = pathToFileURL(createRequire(join(repoDir, 'package.json')).resolve('vite')).href;
    await writeFile(script, childSource(viteUrl, join(packageDir, 'src', 'index.ts'), repoDir));
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('processes racing for a free lease: exactly one wins, with epoch 1', async () => {
    expect.hasAssertions();
    const outputs = await race(script, (i) => [path, `proc-${i}`, 'once', '1']);
    const results = outputs.flat().map((l) => JSON.parse(l) as { node: string; result: { acquired: boolean; lease?: { epoch: number }; current?: { holder: string } } });
    expect(results).toHaveLength(PROCESSES);
    const winners = results.filter((r) => r.result.acquired);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.result.lease?.epoch).toBe(1);
    for (const loser of results.filter((r) => !r.result.acquired)) expect(loser.result.current?.holder).toBe(winners[0]?.node);
  });

  it('processes recording a promotion at one epoch: exactly one is written, and it is the one stored', async () => {
    expect.hasAssertions();
    const reader = new SqliteCoordinationStore({ path });
    const held = await reader.readLease();
    if (held !== undefined) expect(await reader.releaseLease(held.holder, held.epoch)).toBe(true);
    const lease = await reader.acquireLease('racer', 60_000);
    expect(lease.acquired).toBe(true);
    const epoch = lease.acquired ? lease.lease.epoch : -1;
    const outputs = await race(script, (i) => [path, `proc-${i}`, 'record', String(epoch)]);
    const results = outputs.flat().map((l) => JSON.parse(l) as { node: string; written: boolean });
    expect(results).toHaveLength(PROCESSES);
    const winners = results.filter((r) => r.written);
    expect(winners).toHaveLength(1);
    expect(await reader.lastPrimary()).toEqual({ node: 'racer', epoch, atWallMs: Number(winners[0]?.node.slice('proc-'.length)) });
    await reader.close();
  });

  it('processes taking turns: epochs are unique, gap-free, increasing, and holds never overlap', async () => {
    expect.hasAssertions();
    const setup = new SqliteCoordinationStore({ path });
    const held = await setup.readLease();
    if (held !== undefined) expect(await setup.releaseLease(held.holder, held.epoch)).toBe(true);
    const before = await setup.lastEpoch();
    const outputs = await race(script, (i) => [path, `proc-${i}`, 'loop', String(ROUNDS)]);
    const holds = outputs.flat().map((l) => JSON.parse(l) as { node: string; epoch: number; heldFromMs: number; heldToMs: number; released: boolean });
    expect(holds.length).toBeGreaterThan(PROCESSES);
    expect(new Set(holds.map((h) => h.node)).size).toBeGreaterThan(1);
    expect(holds.every((h) => h.released)).toBe(true);
    const byEpoch = [...holds].sort((a, b) => a.epoch - b.epoch);
    expect(byEpoch.map((h) => h.epoch)).toEqual(byEpoch.map((_, i) => before + 1 + i));
    for (let i = 1; i < byEpoch.length; i++) expect(byEpoch[i]!.heldFromMs).toBeGreaterThanOrEqual(byEpoch[i - 1]!.heldToMs);
    for (const lines of outputs) {
      const mine = lines.map((l) => (JSON.parse(l) as { epoch: number }).epoch);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    expect(await setup.lastEpoch()).toBe(before + holds.length);
    await setup.close();
  });
});
