import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { AgentMetrics } from './metrics.js';
import { StatusServer, type StatusServerOptions, type StatusServerReport } from './status-server.js';

const base: StatusServerReport = {
  cluster: 'c',
  node: 'n1',
  role: 'primary',
  epoch: 7,
  leaseValid: true,
  healthy: true,
  lastCycleAgeMs: 10,
  summary: 'no action: primary n1 holds lease epoch 7',
  maintenance: false,
  storeReachable: true,
};

let server: StatusServer | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.stop();
  server = undefined;
});

async function serve(status: StatusServerReport, token?: string, limits: Partial<StatusServerOptions> = {}): Promise<string> {
  const metrics = new AgentMetrics({ cluster: 'c', node: 'n1' });
  metrics.setRole(status.role, status.epoch);
  metrics.observeProbe('db-write', 'ok', 12);
  server = new StatusServer({ status: () => status }, metrics, { host: '127.0.0.1', port: 0, ...(token ? { token } : {}), ...limits });
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

/** A client that connects and says nothing; resolves once connected, `closed` once the server hangs up. */
async function idleClient(url: string): Promise<{ closed: Promise<number> }> {
  const startedMs = performance.now();
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  clients.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - startedMs)));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { closed };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatusServer', () => {
  it('routes by role with 200/503', async () => {
    const url = await serve(base);
    expect((await fetch(`${url}/primary`)).status).toBe(200);
    expect((await fetch(`${url}/replica`)).status).toBe(503);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const body = (await (await fetch(`${url}/primary`)).json()) as StatusServerReport;
    expect(body.summary).toBe(base.summary);
  });

  it('does not call a primary whose lease lapsed a primary', async () => {
    const url = await serve({ ...base, leaseValid: false });
    expect((await fetch(`${url}/primary`)).status).toBe(503);
  });

  it('serves a healthy replica and reports an unhealthy agent', async () => {
    const url = await serve({ ...base, role: 'replica', healthy: false });
    expect((await fetch(`${url}/replica`)).status).toBe(503);
    expect((await fetch(`${url}/health`)).status).toBe(503);
  });

  it('exposes Prometheus metrics', async () => {
    const url = await serve(base);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('tandem_role{role="primary",cluster="c",node="n1"} 1');
    expect(text).toContain('tandem_epoch{cluster="c",node="n1"} 7');
    const count = text.split('\n').find((l) => l.startsWith('tandem_probe_latency_seconds_count{'));
    expect(count).toContain('probe="db-write"');
    expect(count).toContain('outcome="ok"');
    expect(count?.endsWith(' 1')).toBe(true);
  });

  it('requires the bearer token when one is configured', async () => {
    const url = await serve(base, 'sekret');
    expect((await fetch(`${url}/health`)).status).toBe(401);
    expect((await fetch(`${url}/health`, { headers: { Authorization: 'Bearer wrong!' } })).status).toBe(401);
    expect((await fetch(`${url}/health`, { headers: { Authorization: 'Bearer sekret' } })).status).toBe(200);
  });

  it('answers 404 with the known paths', async () => {
    const url = await serve(base);
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('/primary');
  });

  it('answers /health 503 with the reason while the store is unreachable, keeping the other fields', async () => {
    const url = await serve({ ...base, storeReachable: false, storeProblem: 'store read timed out after 2000 ms' });
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as StatusServerReport & { reason: string };
    expect(body.storeReachable).toBe(false);
    expect(body.storeProblem).toBe('store read timed out after 2000 ms');
    expect(body.reason).toBe('the store is unreachable or not trusted: store read timed out after 2000 ms');
    expect(body).toMatchObject({ cluster: 'c', node: 'n1', role: 'primary', epoch: 7, healthy: true, summary: base.summary });
  });

  it('answers /health 503 when the store answers but is not trusted', async () => {
    const url = await serve({ ...base, role: 'replica', storeReachable: false, storeProblem: "the store belongs to cluster 'other', not 'c'" });
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { reason: string }).reason).toContain("belongs to cluster 'other'");
  });

  it('gives both reasons when the loop is stale and the store unreachable, and none when healthy', async () => {
    const url = await serve({ ...base, healthy: false, lastCycleAgeMs: 9000, storeReachable: false, storeProblem: 'connection refused' });
    const body = (await (await fetch(`${url}/health`)).json()) as { reason: string };
    expect(body.reason).toBe('the store is unreachable or not trusted: connection refused; no HA cycle completed in the last 9000 ms');
    await server?.stop();
    const healthy = await serve(base);
    expect(await (await fetch(`${healthy}/health`)).json()).not.toHaveProperty('reason');
  });

  it('closes a connection over the cap at once and counts it', async () => {
    const url = await serve(base, undefined, { maxConnections: 2, quietGraceMs: 60_000 });
    const held = [await idleClient(url), await idleClient(url)];
    const over = await idleClient(url);
    expect(await over.closed).toBeLessThan(1000);
    // The two it holds are not quiet for long enough (the grace is a minute): they stay open.
    const stillOpen = await Promise.race([Promise.all(held.map((h) => h.closed)).then(() => false), pause(200).then(() => true)]);
    expect(stillOpen).toBe(true);
    for (const c of clients.splice(0)) c.destroy();
    await pause(50);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('tandem_status_connections_refused_total{cluster="c",node="n1"} 1');
  });

  it('at the cap, closes the quiet connections so that the next health check gets in', async () => {
    const url = await serve(base, undefined, { maxConnections: 3, quietGraceMs: 100 });
    const held = await Promise.all([idleClient(url), idleClient(url), idleClient(url)]);
    await pause(150);
    const over = await idleClient(url);
    await over.closed;
    const closedMs = await Promise.all(held.map((h) => h.closed));
    for (const ms of closedMs) expect(ms).toBeLessThan(1000);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('closes a connection that never sends a request once the headers timeout passes', async () => {
    const url = await serve(base, undefined, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const silent = await idleClient(url);
    const ms = await silent.closed;
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1500);
  });

  it('refuses limits that are not positive integers or a headers timeout over the request timeout', () => {
    const metrics = new AgentMetrics({ cluster: 'c', node: 'n1' });
    const make = (limits: Partial<StatusServerOptions>): StatusServer => new StatusServer({ status: () => base }, metrics, { host: '127.0.0.1', port: 0, ...limits });
    expect(() => make({ maxConnections: 0 })).toThrow(/maxConnections must be a positive integer, got 0/);
    expect(() => make({ keepAliveTimeoutMs: 1.5 })).toThrow(/keepAliveTimeoutMs/);
    expect(() => make({ headersTimeoutMs: 9000 })).toThrow(/headersTimeoutMs \(9000\) must not exceed requestTimeoutMs \(5000\)/);
  });
});
