import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ExecaCommandRunner } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRuleset, deleteTable, readCounters, type NftTarget } from './nft-apply.js';
import { droppedPackets } from './nft-counters.js';
import { renderDropRules } from './nft-rules.js';

/**
 * Two throwaway namespaces joined by a veth pair, a = 198.51.100.1, b = .2.
 * Rules are applied for real with nft inside b and observed with real TCP
 * connects and UDP datagrams made by node one-liners inside the namespaces.
 */
const id = randomBytes(3).toString('hex');
const nsA = `tfx-${id}-a`;
const nsB = `tfx-${id}-b`;
const A = '198.51.100.1';
const B = '198.51.100.2';
const runner = new ExecaCommandRunner();
const inB: NftTarget = { runner, prefix: ['ip', 'netns', 'exec', nsB] };
const table = `tandem_tfx_${id}`;
const children: ChildProcess[] = [];
const udpSeenByA: string[] = [];

async function sh(file: string, ...args: string[]): Promise<string> {
  const result = await runner.run({ file, args, timeoutMs: 15_000 });
  if (result.kind !== 'exited' || result.exitCode !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed: ${JSON.stringify(result)}`);
  }
  return result.stdout;
}

/** Start a long-lived node script in a namespace and wait for it to print "ready". */
async function startInNamespace(ns: string, script: string, onLine: (line: string) => void = () => undefined): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start within 10 s`)), 10_000);
    child.once('exit', (code) => reject(new Error(`server in ${ns} exited with ${String(code)}`)));
    let buffered = '';
    child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        } else onLine(line);
      }
    });
  });
}

/** True when a TCP connect from `ns` to host:port completes within 1.5 s. */
async function tcpConnects(ns: string, host: string, port: number): Promise<boolean> {
  const script = `const s=require('net').connect(${port},'${host}',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),1500);`;
  const result = await runner.run({ file: 'ip', args: ['netns', 'exec', ns, process.execPath, '-e', script], timeoutMs: 10_000 });
  if (result.kind !== 'exited') throw new Error(`connect helper did not run: ${JSON.stringify(result)}`);
  return result.exitCode === 0;
}

/** Send one datagram from `ns`; false when the kernel refused the send (an output drop answers EPERM). */
async function udpSend(ns: string, host: string, port: number, message: string): Promise<boolean> {
  const script = `const s=require('dgram').createSocket('udp4');s.send('${message}',${port},'${host}',(e)=>process.exit(e?1:0));`;
  const result = await runner.run({ file: 'ip', args: ['netns', 'exec', ns, process.execPath, '-e', script], timeoutMs: 10_000 });
  if (result.kind !== 'exited') throw new Error(`udp helper did not run: ${JSON.stringify(result)}`);
  return result.exitCode === 0;
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the lab tests need root (network namespaces and nftables): run them as root');
  for (const [program, pkg] of [['ip', 'iproute2'], ['nft', 'nftables']] as const) {
    if ((await runner.which(program)) === undefined) throw new Error(`${program} is missing: apt-get install -y ${pkg}`);
  }
  await sh('ip', 'netns', 'add', nsA);
  await sh('ip', 'netns', 'add', nsB);
  await sh('ip', '-n', nsA, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', nsB);
  for (const [ns, address] of [[nsA, A], [nsB, B]] as const) {
    await sh('ip', '-n', ns, 'addr', 'add', `${address}/30`, 'dev', 'eth0');
    await sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
    await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  }
  const tcpServer = (host: string, port: number): string => `require('net').createServer((s)=>{s.on('error',()=>{});s.end('hi');}).listen(${port},'${host}');`;
  await startInNamespace(nsB, `${tcpServer(B, 7000)}setTimeout(()=>console.log('ready'),100);`);
  const udpListener = `const u=require('dgram').createSocket('udp4');u.on('message',(m)=>console.log('udp:'+m));u.bind(7002,'${A}',()=>console.log('ready'));`;
  await startInNamespace(nsA, `${tcpServer(A, 7001)}${udpListener}`, (line) => udpSeenByA.push(line));
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const ns of [nsA, nsB]) {
    // Anything else still running in the namespace (a helper that outlived its timeout) goes too.
    const pids = await runner.run({ file: 'ip', args: ['netns', 'pids', ns], timeoutMs: 5000 });
    if (pids.kind === 'exited') for (const pid of pids.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    await runner.run({ file: 'ip', args: ['netns', 'del', ns], timeoutMs: 10_000 });
  }
}, 60_000);

describe('nftables drop rules in real namespaces', () => {
  it('connects both ways before any fault', async () => {
    expect(await tcpConnects(nsA, B, 7000)).toBe(true);
    expect(await tcpConnects(nsB, A, 7001)).toBe(true);
  });

  it('drops everything from a at b one way: a cannot connect, b still reaches a, and the counter shows the drops', async () => {
    await applyRuleset(inB, renderDropRules({ table, rules: [{ direction: 'in', peer: A, interface: 'eth0' }] }));
    expect(await tcpConnects(nsA, B, 7000)).toBe(false);
    expect(await udpSend(nsB, A, 7002, 'from-b')).toBe(true);
    await expect.poll(() => udpSeenByA, { timeout: 5000 }).toContain('udp:from-b');
    expect(droppedPackets(await readCounters(inB, table), 0)).toBeGreaterThan(0);
  });

  it('heals by deleting the table, and healing twice is harmless', async () => {
    expect(await deleteTable(inB, table)).toBe(true);
    expect(await tcpConnects(nsA, B, 7000)).toBe(true);
    expect(await deleteTable(inB, table)).toBe(false);
  });

  it('drops only the named local service port; other traffic between the two still flows', async () => {
    await applyRuleset(inB, renderDropRules({ table, rules: [{ direction: 'in', peer: A, protocol: 'tcp', port: 7000 }] }));
    // Applying the same fault again replaces it instead of stacking a second copy of the rule.
    await applyRuleset(inB, renderDropRules({ table, rules: [{ direction: 'in', peer: A, protocol: 'tcp', port: 7000 }] }));
    expect(await tcpConnects(nsA, B, 7000)).toBe(false);
    expect(await tcpConnects(nsB, A, 7001)).toBe(true);
    const counters = await readCounters(inB, table);
    expect(counters).toHaveLength(1);
    expect(droppedPackets(counters, 0)).toBeGreaterThan(0);
    expect(await deleteTable(inB, table)).toBe(true);
    expect(await tcpConnects(nsA, B, 7000)).toBe(true);
  });

  it('drops outgoing packets on an output rule', async () => {
    await applyRuleset(inB, renderDropRules({ table, rules: [{ direction: 'out', peer: A, protocol: 'udp', port: 7002 }] }));
    // A locally generated packet dropped on output is refused to the sender with EPERM.
    expect(await udpSend(nsB, A, 7002, 'blocked')).toBe(false);
    expect(await udpSend(nsB, A, 7002, 'blocked')).toBe(false);
    expect(droppedPackets(await readCounters(inB, table), 0)).toBe(2);
    expect(await deleteTable(inB, table)).toBe(true);
    expect(await udpSend(nsB, A, 7002, 'allowed')).toBe(true);
    await expect.poll(() => udpSeenByA, { timeout: 5000 }).toContain('udp:allowed');
    expect(udpSeenByA).not.toContain('udp:blocked');
  });
});
