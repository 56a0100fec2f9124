import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, HealthProbe, SimulatedClock, type NodeInfo } from '@tandem/core';
import { startTcpListener } from '@tandem/testkit';
import manifest from './index.js';
import { TcpProbe } from './tcp-probe.js';
import { tcpProbeOptions } from './tcp-probe-options.js';

const ctx = () => ({ signal: new AbortController().signal, timeoutMs: 2000 });
const node: NodeInfo = { name: 'db1', nics: { public: { name: 'lo', address: '127.0.0.1', prefixLength: 8 } } };

describe('probe-tcp', () => {
  it('applies defaults and rejects a bad port or NIC', () => {
    expect(tcpProbeOptions.parse({ port: 5432 })).toEqual({ port: 5432, nic: 'public', dimension: 'network', defaultTimeoutMs: 2000 });
    expect(tcpProbeOptions.safeParse({ port: 70000 }).success).toBe(false);
    expect(tcpProbeOptions.safeParse({ port: 22, nic: 'eth0' }).success).toBe(false);
  });

  it('is config-error when the target lacks the configured NIC', async () => {
    const probe = new TcpProbe(tcpProbeOptions.parse({ port: 3260, nic: 'storage' }), new SimulatedClock());
    const o = await probe.check(node, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/nodes\.db1\.nics\.storage/);
  });

  it('connects to options.address instead of the NIC when set, and reports its dimension', async () => {
    const listener = await startTcpListener();
    try {
      const target: NodeInfo = { name: 'db2', nics: { public: { name: 'eth0', address: '192.0.2.12', prefixLength: 24 } } };
      const probe = new TcpProbe(tcpProbeOptions.parse({ port: listener.port, address: '127.0.0.1', dimension: 'db-login' }), new SimulatedClock());
      expect(probe.dimension).toBe('db-login');
      expect((await probe.check(target, ctx())).code).toBe('ok');
    } finally {
      await listener.close();
    }
  });

  it('is composed from its manifest with the Clock taken from the parent container', async () => {
    const listener = await startTcpListener();
    try {
      const root = new Container();
      root.bind(Clock).toConstantValue(new SimulatedClock());
      const options = manifest.options.parse({ port: listener.port });
      const child = new Container({ parent: root });
      child.load(manifest.module({ id: 'db-port', options, localNode: node, nodes: [node] }));
      const probe = child.get<HealthProbe>(HealthProbe);
      expect(probe).toBeInstanceOf(TcpProbe);
      const o = await probe.check(node, ctx());
      expect(o.code).toBe('ok');
      expect(o.data?.latencyMs).toBe(0); // simulated clock: time did not move
    } finally {
      await listener.close();
    }
  });
});
