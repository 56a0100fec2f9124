import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NodeInfo, Outcome } from '@tandem/core';
import { Lab, serversNamed, waitForPort } from '@tandem/lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Needs root (network namespaces) and the Debian packages arping and iproute2; Lab.up fails loudly otherwise.
const VIP = '192.0.2.10';
const PORT = 8080;
const RUNNER = fileURLToPath(new URL('../dist/testing/vip-runner.js', import.meta.url));
const OPTIONS = { address: `${VIP}/24`, dadTimeoutMs: 1000, garp: { count: 5, intervalMs: 200 } };

/** The runner is built JS run inside a namespace (npm test builds first; a bare vitest run needs the build). */
function assertRunnerBuilt(): void {
  if (!existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: run \`npx tsc -b plugins/resource-vip\` first`);
}

let lab: Lab;
const macs = new Map<string, string>();

// s1 leaves the interface name empty (found by its address), s2 names it.
const nodeInfo = (host: string): NodeInfo => ({ name: host, nics: { public: { name: host === 's1' ? '' : 'eth0', address: lab.address(host), prefixLength: 24 } } });

interface Ran {
  readonly outcome: Outcome<unknown>;
  /** performance.now() when the outcome line arrived: when start "returned". */
  readonly returnedAtMs: number;
  readonly exited: Promise<number | null>;
}

function runAgent(host: string, action: 'start' | 'stop' | 'monitor'): Promise<Ran> {
  const request = JSON.stringify({ action, node: nodeInfo(host), options: OPTIONS });
  const child = spawn('ip', ['netns', 'exec', lab.host(host).namespace, process.execPath, RUNNER, request], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Ran>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${action} on ${host}: no outcome within 20 s; stderr: ${stderr}`));
    }, 20_000);
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const line = buffered.split('\n')[0];
      if (!buffered.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      resolve({ outcome: JSON.parse(line) as Outcome<unknown>, returnedAtMs: performance.now(), exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${action} on ${host}: runner exited ${String(code)} without an outcome; stderr: ${stderr}`));
    });
  });
}

async function act(host: string, action: 'start' | 'stop' | 'monitor'): Promise<Outcome<unknown>> {
  const ran = await runAgent(host, action);
  expect(await ran.exited, `${action} on ${host}: runner exit code`).toBe(0);
  return ran.outcome;
}

/** Connect from the client to the VIP and read which server answered. */
async function whoAnswers(): Promise<string> {
  const script = `const s = require('net').connect(${PORT}, '${VIP}'); let d = ''; s.setTimeout(2000, () => { console.log('timeout'); process.exit(1); });
    s.on('data', (c) => (d += c)); s.on('end', () => console.log(d.trim())); s.on('error', (e) => { console.log(e.code); process.exit(1); });`;
  const r = await lab.exec('client', [process.execPath, '-e', script], { allowFailure: true, timeoutMs: 5000 });
  return r.stdout.trim();
}

async function clientNeighbour(): Promise<{ mac: string; state: string } | undefined> {
  const out = (await lab.exec('client', ['ip', 'neigh', 'show', VIP], { timeoutMs: 5000 })).stdout;
  const m = /lladdr (\S+) (\S+)/.exec(out);
  return m?.[1] && m[2] ? { mac: m[1], state: m[2] } : undefined;
}

async function vipOn(host: string): Promise<string> {
  return (await lab.exec(host, ['ip', '-br', 'addr', 'show'], { timeoutMs: 5000 })).stdout.split('\n').filter((l) => l.includes(`${VIP}/`)).join('; ');
}

beforeAll(async () => {
  assertRunnerBuilt();
  lab = await Lab.up({ servers: serversNamed(2), power: false });
  for (const host of ['s1', 's2']) {
    macs.set(host, (await lab.exec(host, ['cat', '/sys/class/net/eth0/address'])).stdout.trim());
    // Listens on every address, so it answers on the VIP once the VIP arrives; says which host it is.
    // A reset from a port check must not kill it (an unhandled socket error would), hence the error handler.
    const hello = `require('net').createServer((c) => { c.on('error', () => {}); c.end('${host}\\n'); }).listen(${PORT})`;
    await lab.addService(host, { name: 'hello', argv: [process.execPath, '-e', hello] });
    await waitForPort(lab.host('client').namespace, lab.address(host), PORT, 5000, `hello listener on ${host}`);
  }
}, 60_000);

afterAll(async () => {
  await lab?.down();
});

describe('resource-vip in the lab', () => {
  it('moves the VIP from s1 to s2: DAD refuses a duplicate, GARP moves a REACHABLE client entry at once, monitor follows', async () => {
    expect(await act('s1', 'monitor')).toMatchObject({ code: 'not-running' });
    const started = await act('s1', 'start');
    expect(started, started.reason).toMatchObject({ code: 'ok' });
    expect(await vipOn('s1')).toMatch(/^eth0(@\S+)?\s+UP\s+.*192\.0\.2\.10\/24/);
    expect(await act('s1', 'monitor')).toMatchObject({ code: 'ok', data: { role: 'none' } });
    expect(await act('s2', 'monitor')).toMatchObject({ code: 'not-running' });
    expect(await whoAnswers()).toBe('s1');
    expect((await clientNeighbour())?.mac).toBe(macs.get('s1'));

    // Duplicate address detection: s1 still holds the VIP, so s2 must refuse and stay clean.
    const duplicate = await act('s2', 'start');
    expect(duplicate.code, duplicate.reason).toBe('failed');
    expect(duplicate.reason).toContain(`MAC ${macs.get('s1')}`);
    expect(await vipOn('s2')).toBe('');
    expect(await act('s2', 'monitor')).toMatchObject({ code: 'not-running' });

    // Switch over. A fresh connection first, so the client's entry for the VIP is confirmed REACHABLE on s1's MAC.
    expect(await whoAnswers()).toBe('s1');
    expect(await act('s1', 'stop')).toMatchObject({ code: 'ok' });
    expect(await vipOn('s1')).toBe('');
    expect(await act('s1', 'monitor')).toMatchObject({ code: 'not-running' });
    expect(await clientNeighbour(), 'the client entry before the switch').toEqual({ mac: macs.get('s1'), state: 'REACHABLE' });

    const moved = await runAgent('s2', 'start');
    expect(moved.outcome, moved.outcome.reason).toMatchObject({ code: 'ok' });
    let switchedAfterMs: number | undefined;
    while (performance.now() - moved.returnedAtMs <= 1000) {
      if ((await clientNeighbour())?.mac === macs.get('s2')) {
        switchedAfterMs = performance.now() - moved.returnedAtMs;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(switchedAfterMs, `client entry still ${JSON.stringify(await clientNeighbour())} 1 s after start on s2 returned`).toBeDefined();
    console.info(`resource-vip lab: the client's entry showed s2's MAC ${Math.round(switchedAfterMs ?? -1)} ms after start returned`);
    expect(await whoAnswers()).toBe('s2');
    expect(await moved.exited, 'runner exit after the GARP burst').toBe(0);
    expect(await act('s2', 'monitor')).toMatchObject({ code: 'ok', data: { role: 'none' } });
    expect(await act('s1', 'monitor')).toMatchObject({ code: 'not-running' });
    expect(await act('s2', 'start'), 'start again is ok').toMatchObject({ code: 'ok', reason: expect.stringContaining('already on eth0') });
  }, 90_000);

  it('monitor reports a VIP on the wrong interface as failed, and stop removes it', async () => {
    await lab.exec('s1', ['ip', 'addr', 'add', `${VIP}/24`, 'dev', 'eth1']);
    const misplaced = await act('s1', 'monitor');
    expect(misplaced).toMatchObject({ code: 'failed', reason: `${VIP} is on eth1, not on eth0` });
    expect(await act('s1', 'stop')).toMatchObject({ code: 'ok' });
    expect(await vipOn('s1')).toBe('');
    expect(await act('s2', 'stop')).toMatchObject({ code: 'ok' });
    expect(await act('s2', 'monitor')).toMatchObject({ code: 'not-running' });
  }, 60_000);
});
