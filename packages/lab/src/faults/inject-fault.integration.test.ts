import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab.js';
import { serversNamed } from '../topology/lab-spec.js';
import { canConnect, waitForPort } from '../hosts/wait-for-port.js';
import { processState } from '../hosts/process-state.js';
import { FaultNotApplicableError, injectFault } from './inject-fault.js';
import { waitUntil } from '../hosts/wait-until.js';

/**
 * Every fault primitive against a real lab, each checked by what it does:
 * a ping that stops answering, datagrams that stop arriving one way only,
 * a process that no longer exists.
 */
let lab: Lab;
let failed = false;
const ECHO_PORT = 7000;
const UDP_PORT = 7001;

const echo = `require('net').createServer((s) => { s.on('error', () => {}); s.pipe(s); }).listen(${ECHO_PORT})`;
const udpLog = `require('dgram').createSocket('udp4').on('message', (m) => console.log('got ' + m)).bind(${UDP_PORT})`;

beforeAll(async () => {
  lab = await Lab.up({ servers: serversNamed(2), store: {} });
  for (const host of ['s1', 's2']) {
    await lab.addService(host, { name: 'echo', argv: [process.execPath, '-e', echo] });
    await lab.addService(host, { name: 'udp-log', argv: [process.execPath, '-e', udpLog] });
  }
  await waitForPort(lab.host('client').namespace, lab.address('s2'), ECHO_PORT, 10_000, 'the echo service');
}, 60_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await lab?.down({ keepDir: failed });
  if (failed) console.error(`lab logs kept in ${lab.dir}`);
});

async function pings(from: string, address: string): Promise<boolean> {
  return (await lab.exec(from, ['ping', '-c1', '-W1', address], { allowFailure: true })).exitCode === 0;
}

/** Send one datagram from `from` to `to`'s public address and say whether `to` logged it. */
async function datagramArrives(from: string, to: string, tag: string): Promise<boolean> {
  await lab.exec(from, ['bash', '-c', `echo ${tag} > /dev/udp/${lab.address(to)}/${UDP_PORT}`]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return (await readFile(lab.logFile(to, 'udp-log'), 'utf8')).includes(`got ${tag}`);
}

/** One request/response through the echo service, timed from inside `from`. */
async function echoRoundTripMs(from: string, address: string): Promise<number> {
  const started = Date.now();
  await lab.exec(from, ['bash', '-c', `exec 3<>/dev/tcp/${address}/${ECHO_PORT}; echo x >&3; read -t 5 line <&3; [ "$line" = x ]`], { timeoutMs: 10_000 });
  return Date.now() - started;
}

describe('fault primitives', () => {
  it('power off kills every process of the host and cuts its links; power on boots its services again', async () => {
    expect((await lab.pids('s1')).length).toBeGreaterThan(0);
    const fault = await injectFault(lab, { kind: 'power-off', host: 's1' });
    expect(await lab.pids('s1')).toEqual([]);
    expect(await lab.bmcs.state('s1')).toBe('off');
    expect(await pings('s2', lab.address('s1'))).toBe(false);
    await fault.heal();
    expect(await lab.bmcs.state('s1')).toBe('on');
    await expect.poll(() => canConnect(lab.host('client').namespace, lab.address('s1'), ECHO_PORT), { timeout: 10_000 }).toBe(true);
    expect(await lab.bmcs.hookLog('s1')).toMatch(/power off \(links down/);
  });

  it('freeze stops every process of a host (state T) so it answers nothing; resume brings it back', async () => {
    const fault = await injectFault(lab, { kind: 'freeze-host', host: 's2' });
    for (const pid of await lab.pids('s2')) expect(processState(pid)).toBe('T');
    await expect(echoRoundTripMs('client', lab.address('s2'))).rejects.toThrow();
    await fault.heal();
    for (const pid of await lab.pids('s2')) expect(processState(pid)).not.toBe('T');
    expect(await echoRoundTripMs('client', lab.address('s2'))).toBeLessThan(5000);
  });

  it('freeze of one service stops only that service', async () => {
    const fault = await injectFault(lab, { kind: 'freeze-service', host: 's2', service: 'echo' });
    const echoPid = await lab.servicePid('s2', 'echo');
    const udpPid = await lab.servicePid('s2', 'udp-log');
    expect(processState(echoPid ?? -1)).toBe('T');
    expect(processState(udpPid ?? -1)).not.toBe('T');
    await fault.heal();
    expect(processState(echoPid ?? -1)).not.toBe('T');
  });

  it('freeze of a service the lab did not start finds it by its pid file (postmaster.pid), children included; not running is a skip', async () => {
    // As an agent starts PostgreSQL: not a lab service, a pid file whose first line is the pid, a child process.
    const pidFile = join(lab.host('s2').dir, 'postmaster.pid');
    const script = `require('child_process').spawn('sleep', ['600']); require('fs').writeFileSync(${JSON.stringify(pidFile)}, process.pid + '\\n/data\\n'); setInterval(() => {}, 1000)`;
    const parent = spawn('ip', ['netns', 'exec', lab.host('s2').namespace, process.execPath, '-e', script], { stdio: 'ignore' });
    try {
      await waitUntil('the pid file', 10_000, async () => ((await readFile(pidFile, 'utf8').catch(() => '')) !== '' ? true : undefined), 100);
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
      const child = (await lab.pids('s2')).find((p) => p !== pid && readFileSync(`/proc/${p}/stat`, 'utf8').includes('(sleep)'));
      const fault = await injectFault(lab, { kind: 'freeze-service', host: 's2', service: 'postgres', pidFile });
      expect(processState(pid)).toBe('T');
      expect(processState(child ?? -1)).toBe('T');
      await fault.heal();
      expect(processState(pid)).not.toBe('T');
      expect(processState(child ?? -1)).not.toBe('T');
    } finally {
      parent.kill('SIGKILL');
    }
    await waitUntil('the process to exit', 10_000, async () => (parent.exitCode !== null || parent.signalCode !== null ? true : undefined), 100);
    await expect(injectFault(lab, { kind: 'freeze-service', host: 's2', service: 'postgres', pidFile })).rejects.toBeInstanceOf(FaultNotApplicableError);
  });

  it('a NIC down by role cuts that network only', async () => {
    const fault = await injectFault(lab, { kind: 'nic-down', host: 's2', nic: 'storage' });
    expect(await pings('s1', lab.address('s2', 'storage'))).toBe(false);
    expect(await pings('s1', lab.address('s2', 'public'))).toBe(true);
    await fault.heal();
    // The switch side of the link reports carrier up to a second later (the kernel's link-watch batching).
    await expect.poll(() => pings('s1', lab.address('s2', 'storage')), { timeout: 5000 }).toBe(true);
  });

  it('a one-way drop loses packets in one direction only', async () => {
    const fault = await injectFault(lab, { kind: 'drop', from: 's1', to: 's2', twoWay: false });
    expect(await datagramArrives('s1', 's2', 'oneway-1to2')).toBe(false);
    expect(await datagramArrives('s2', 's1', 'oneway-2to1')).toBe(true);
    await fault.heal();
    expect(await datagramArrives('s1', 's2', 'healed-1to2')).toBe(true);
  });

  it('a two-way drop on one port leaves other ports working', async () => {
    const fault = await injectFault(lab, { kind: 'drop', from: 's1', to: 's2', twoWay: true, port: ECHO_PORT });
    expect(await canConnect(lab.host('s1').namespace, lab.address('s2'), ECHO_PORT, 1)).toBe(false);
    expect(await pings('s1', lab.address('s2'))).toBe(true);
    expect(await canConnect(lab.host('client').namespace, lab.address('s2'), ECHO_PORT, 1)).toBe(true);
    await fault.heal();
    expect(await canConnect(lab.host('s1').namespace, lab.address('s2'), ECHO_PORT, 2)).toBe(true);
  });

  it('a drop on one NIC leaves the other networks up', async () => {
    const fault = await injectFault(lab, { kind: 'drop', from: 's1', to: 's2', twoWay: true, nic: 'privateA' });
    expect(await pings('s1', lab.address('s2', 'privateA'))).toBe(false);
    expect(await pings('s1', lab.address('s2', 'privateB'))).toBe(true);
    await fault.heal();
    expect(await pings('s1', lab.address('s2', 'privateA'))).toBe(true);
  });

  it('isolation cuts every data network of a host but not its BMC network', async () => {
    const fault = await injectFault(lab, { kind: 'isolate', host: 's2' });
    for (const role of ['public', 'storage', 'privateA', 'privateB'] as const) expect(await pings('s1', lab.address('s2', role))).toBe(false);
    expect(await pings('s2', lab.address('gateway'))).toBe(false);
    expect(await pings('s2', lab.bmcs.access('s1').address)).toBe(true);
    await fault.heal();
    expect(await pings('s1', lab.address('s2'))).toBe(true);
  });

  it('gateway down: the gateway stops answering ping', async () => {
    const fault = await injectFault(lab, { kind: 'gateway-down' });
    expect(await pings('s1', lab.address('gateway'))).toBe(false);
    await fault.heal();
    // The first ping may go out while s1 still holds a failed neighbour entry for the gateway.
    await expect.poll(() => pings('s1', lab.address('gateway')), { timeout: 5000 }).toBe(true);
  });

  it('store down: Redis is unreachable, and back with its data after healing', async () => {
    const redis = (args: string[]): Promise<string> => lab.exec('s1', ['redis-cli', '-h', lab.address('store'), ...args], { timeoutMs: 5000 }).then((r) => r.stdout.trim());
    await redis(['set', 'kept', 'yes']);
    const fault = await injectFault(lab, { kind: 'store-down' });
    expect(await canConnect(lab.host('s1').namespace, lab.address('store'), 6379, 1)).toBe(false);
    await fault.heal();
    await expect.poll(() => redis(['get', 'kept']).catch(() => ''), { timeout: 5000 }).toBe('yes');
  });

  it('link delay adds its delay to both directions of a connection through a userspace proxy', async () => {
    const before = await echoRoundTripMs('client', lab.address('s2'));
    const fault = await injectFault(lab, { kind: 'link-delay', host: 's2', port: ECHO_PORT, delayMs: 300 });
    const delayed = await echoRoundTripMs('client', lab.address('s2'));
    await fault.heal();
    // The request and the reply each wait 300 ms in the proxy.
    expect(delayed).toBeGreaterThanOrEqual(600);
    expect(delayed - before).toBeGreaterThanOrEqual(550);
    expect(await echoRoundTripMs('client', lab.address('s2'))).toBeLessThan(delayed);
  });
}, 120_000);

