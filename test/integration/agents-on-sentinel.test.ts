import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '@tandem/agent';
import { MemoryLogger, parseConfig, PluginCatalog } from '@tandem/core';
import { startRedisSentinel, startRedisServer, type RedisServer } from '@tandem/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli-support.js';

// Three real agents (the HA loop, the Redis store, real plugins) on a
// Sentinel-managed Redis, through a Redis failover: at no sample may two of
// them be writing primaries, and a primary must exist again afterwards.
const MASTER = 'tandem-agents';
const GATEWAY_PORT = 18082;
const dir = mkdtempSync(join(tmpdir(), 'tandem-sentinel-agents-'));
const servers: RedisServer[] = [];
const agents: RunningAgent[] = [];
let gateway: Server;
let master: RedisServer;
let replica: RedisServer;
let sentinelPorts: number[] = [];

function config(): string {
  const nodes = ['s1', 's2', 's3'].map((n, i) => `  ${n}: { nics: { public: 127.0.0.${31 + i}/8 }, statusListen: 127.0.0.${31 + i}:8028 }`).join('\n');
  return `cluster: sentinel-agents
bootstrap: true
timing: { probeIntervalMs: 300, leaseTtlMs: 4000, leaseRenewIntervalMs: 600, storeTimeoutMs: 500, fenceTimeoutMs: 2000, gatewayTimeoutMs: 1000 }
store:
  type: redis
  mode: sentinel
  masterName: ${MASTER}
  sentinels: [${sentinelPorts.map((p) => `{ host: 127.0.0.1, port: ${p} }`).join(', ')}]
  minReplicaAcks: 1
gateway: { address: 127.0.0.1 }
nodes:
${nodes}
probes:
  checks:
    - { id: agent, plugin: probe-tcp, timeoutMs: 250, options: { port: 8028 } }
    - { id: gw, plugin: probe-tcp, timeoutMs: 500, options: { port: ${GATEWAY_PORT}, dimension: gateway } }
fencing:
  levels:
    - - { id: marker, plugin: fence-exec, options: { fence: [mkdir, -p, "${dir}/fenced/{node}"], status: [test, -d, "${dir}/fenced/{node}"] } }
`;
}

const writers = (): string[] => agents.filter((a) => a.loop.status().writing && a.loop.status().role === 'primary').map((a) => a.loop.status().node);

beforeAll(async () => {
  master = await startRedisServer();
  replica = await startRedisServer({ replicaOfPort: master.port });
  servers.push(master, replica);
  for (let i = 0; i < 3; i++) {
    const s = await startRedisSentinel({ masterName: MASTER, masterPort: master.port, quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 5000 });
    servers.push(s);
    sentinelPorts.push(s.port);
  }
  gateway = createServer((s) => s.end());
  await new Promise<void>((r) => gateway.listen(GATEWAY_PORT, '127.0.0.1', () => r()));
  const { config: parsed } = parseConfig(config());
  const catalog = await PluginCatalog.discover([{ dir: join(repoRoot, 'node_modules'), origin: 'built-in' }]);
  for (const node of ['s1', 's2', 's3']) agents.push(await startAgent({ config: parsed, node, catalog, logger: new MemoryLogger(), stateDir: dir }));
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.stop()));
  await new Promise<void>((r) => gateway.close(() => r()));
  await Promise.all(servers.map((s) => s.cleanup()));
  rmSync(dir, { recursive: true, force: true });
});

describe('agents on a Sentinel-managed Redis', () => {
  it('never have two writing primaries through a Redis failover, and have one again afterwards', async () => {
    const samples: string[][] = [];
    const sample = (): void => {
      samples.push(writers());
    };
    const timer = setInterval(sample, 25);
    try {
      await expect.poll(() => writers().length, { timeout: 20_000, interval: 100 }).toBe(1);
      const before = agents.map((a) => a.loop.status().epoch ?? 0);
      const sentinel = new Redis({ host: '127.0.0.1', port: sentinelPorts[0], protocol: 2 });
      expect(await sentinel.call('SENTINEL', 'FAILOVER', MASTER)).toBe('OK');
      await expect.poll(async () => ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER)) as string[])[1], { timeout: 10_000, interval: 200 }).toBe(String(replica.port));
      sentinel.disconnect();
      // Watch through the window in which the new master has no replica to acknowledge lease writes.
      await new Promise((r) => setTimeout(r, 15_000));
      // Liveness: once the old master rejoins as a replica, lease writes are acknowledged again.
      await expect.poll(() => writers().length, { timeout: 40_000, interval: 100 }).toBe(1);
      const after = Math.max(...agents.map((a) => a.loop.status().epoch ?? 0));
      expect(after).toBeGreaterThanOrEqual(Math.max(...before));
    } finally {
      clearInterval(timer);
    }
    expect(samples.length).toBeGreaterThan(100);
    const overlapping = samples.filter((s) => s.length > 1);
    if (process.env.SHOW_WRITERS) console.log(samples.map((s) => s.join("+") || "-").filter((x, i, a) => i === 0 || x !== a[i - 1]).join(" > "));
    expect(overlapping).toEqual([]);
  }, 90_000);
});
