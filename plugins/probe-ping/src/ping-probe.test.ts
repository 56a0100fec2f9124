import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, CommandRunner, ExecaCommandRunner, HealthProbe, SimulatedClock, SystemClock, type NodeInfo } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import manifest from './index.js';
import { classifyPing, parseReceived, parseRttMs } from './classify-ping.js';
import { pingArgs, pingWaitSeconds } from './ping-command.js';
import { PingProbe } from './ping-probe.js';
import { pingProbeOptions } from './ping-probe-options.js';

const ctx = (timeoutMs = 2000) => ({ signal: new AbortController().signal, timeoutMs });
const node: NodeInfo = { name: 'db2', nics: { public: { name: 'eth0', address: '192.0.2.12', prefixLength: 24 } } };
const loopback: NodeInfo = { name: 'self', nics: { public: { name: 'lo', address: '127.0.0.1', prefixLength: 8 } } };

const REPLY = `PING 192.0.2.12 (192.0.2.12) 56(84) bytes of data.
64 bytes from 192.0.2.12: icmp_seq=1 ttl=64 time=0.052 ms

--- 192.0.2.12 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.052/0.052/0.052/0.000 ms`;
const SILENT = `PING 192.0.2.12 (192.0.2.12) 56(84) bytes of data.

--- 192.0.2.12 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms`;
const NO_ARP = `PING 192.0.2.12 (192.0.2.12) 56(84) bytes of data.
From 192.0.2.11 icmp_seq=1 Destination Host Unreachable

--- 192.0.2.12 ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms`;

const exited = (exitCode: number, stdout: string, stderr = '') => answer.exit(exitCode, stdout, stderr);

describe('probe-ping options', () => {
  it('applies defaults', () => {
    expect(pingProbeOptions.parse({})).toEqual({ nic: 'public', dimension: 'network', defaultTimeoutMs: 2000 });
  });

  it('names the option and the fix when one is wrong', () => {
    const bad = pingProbeOptions.safeParse({ nic: 'eth0' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/nic must be one of public, storage/);
    expect(pingProbeOptions.safeParse({ address: '-f 1.2.3.4' }).error?.issues[0]?.message).toMatch(/address must be/);
    expect(pingProbeOptions.safeParse({ sourceInterface: 'eth0; rm' }).error?.issues[0]?.message).toMatch(/sourceInterface/);
    expect(pingProbeOptions.safeParse({ port: 22 }).success).toBe(false);
  });
});

describe('ping argv', () => {
  it('waits a little less than the deadline, never below 0.1 s', () => {
    expect(pingWaitSeconds(2000)).toBe(1.5);
    expect(pingWaitSeconds(4000)).toBe(3.5);
    expect(pingWaitSeconds(400)).toBe(0.3);
    expect(pingWaitSeconds(50)).toBe(0.1);
  });

  it('is one numeric echo with a bounded wait, optionally bound to an interface', () => {
    const options = pingProbeOptions.parse({ sourceInterface: 'eth2' });
    expect(pingArgs('198.51.100.140', options, 1000)).toEqual(['-n', '-c', '1', '-W', '0.7', '-I', 'eth2', '198.51.100.140']);
    expect(pingArgs('192.0.2.1', pingProbeOptions.parse({}), 4000)).toEqual(['-n', '-c', '1', '-W', '3.5', '192.0.2.1']);
  });
});

describe('ping output', () => {
  it('parses replies and round-trip time', () => {
    expect(parseReceived(REPLY)).toBe(1);
    expect(parseRttMs(REPLY)).toBe(0.052);
    expect(parseReceived(SILENT)).toBe(0);
    expect(parseRttMs(SILENT)).toBeUndefined();
  });

  it('sorts every way a ping ends into an outcome', () => {
    const c = (r: Parameters<typeof classifyPing>[1]) => classifyPing('db2 192.0.2.12', r, 2000);
    expect(c(exited(0, REPLY))).toMatchObject({ code: 'ok', data: { rttMs: 0.052 } });
    expect(c(exited(1, SILENT))).toMatchObject({ code: 'failed', reason: expect.stringMatching(/no echo reply \(0 received\)/) });
    expect(c(exited(1, NO_ARP))).toMatchObject({ code: 'failed', reason: expect.stringMatching(/destination host unreachable/) });
    expect(c(exited(2, '', 'ping: connect: Network is unreachable'))).toMatchObject({ code: 'failed' });
    expect(c(exited(2, '', 'ping: SO_BINDTODEVICE eth9: No such device'))).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/sourceInterface/) });
    expect(c(exited(2, '', 'ping: db9: Name or service not known'))).toMatchObject({ code: 'config-error' });
    expect(c(exited(2, '', 'ping: socket: Operation not permitted'))).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/CAP_NET_RAW/) });
    expect(c(exited(2, '', 'ping: something new'))).toMatchObject({ code: 'unknown' });
    expect(c(answer.timeout())).toMatchObject({ code: 'timeout' });
    expect(c({ kind: 'aborted', durationMs: 5 })).toMatchObject({ code: 'timeout' });
    expect(c(answer.notInstalled('ping', 'iputils-ping'))).toMatchObject({ code: 'not-installed', reason: expect.stringMatching(/apt-get install iputils-ping/) });
  });

  it('never reads a zero exit without a reply as ok', () => {
    expect(classifyPing('x', exited(0, 'garbage'), 1000).code).toBe('unknown');
  });
});

describe('PingProbe with a scripted runner', () => {
  it('pings the configured NIC of the target with the caller deadline', async () => {
    const runner = recordingRunner([{ program: 'ping', result: exited(0, REPLY) }]);
    const probe = new PingProbe(pingProbeOptions.parse({}), runner, new SimulatedClock());
    const o = await probe.check(node, ctx(1000));
    expect(o).toMatchObject({ code: 'ok', data: { latencyMs: 0 } });
    expect(runner.recorded.map((r) => [r.file, ...r.args])).toEqual([['ping', '-n', '-c', '1', '-W', '0.7', '192.0.2.12']]);
  });

  it('is config-error when the target has no such NIC and no address is set', async () => {
    const probe = new PingProbe(pingProbeOptions.parse({ nic: 'privateB' }), recordingRunner(), new SimulatedClock());
    const o = await probe.check(node, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/nodes\.db2\.nics\.privateB/);
  });

  it('reports not-installed with the Debian package', async () => {
    const runner = recordingRunner([{ program: 'ping', result: answer.notInstalled('ping', 'iputils-ping') }]);
    const probe = new PingProbe(pingProbeOptions.parse({}), runner, new SimulatedClock());
    expect(await probe.check(node, ctx())).toMatchObject({ code: 'not-installed', reason: expect.stringMatching(/iputils-ping/) });
  });

  it('declares ping, with its package, for preflight', () => {
    expect(manifest.requires?.(pingProbeOptions.parse({}))).toEqual([expect.objectContaining({ file: 'ping', debianPackage: 'iputils-ping' })]);
  });
});

describe('PingProbe composed from its manifest, real ping on loopback', () => {
  it('pings 127.0.0.1 with the ports from the parent container', async () => {
    const root = new Container();
    root.bind(Clock).toConstantValue(new SystemClock());
    root.bind(CommandRunner).toConstantValue(new ExecaCommandRunner());
    const child = new Container({ parent: root });
    const options = manifest.options.parse({ dimension: 'gateway' });
    child.load(manifest.module({ id: 'gw-ping', options, localNode: loopback, nodes: [loopback] }));
    const probe = child.get<HealthProbe>(HealthProbe);
    expect(probe.dimension).toBe('gateway');
    const o = await probe.check(loopback, ctx(2000));
    expect(o.code, o.reason).toBe('ok');
    expect(o.data?.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
