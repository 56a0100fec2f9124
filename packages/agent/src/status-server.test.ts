import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from './status-report.js';
import { AgentMetrics } from './metrics.js';
import { StatusServer } from './status-server.js';

const base: StatusReport = {
  cluster: 'c',
  node: 'n1',
  role: 'primary',
  epoch: 7,
  leaseValid: true,
  healthy: true,
  lastCycleAgeMs: 10,
  summary: 'no action: primary n1 holds lease epoch 7',
  maintenance: false,
};

let server: StatusServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serve(status: StatusReport, token?: string): Promise<string> {
  const metrics = new AgentMetrics({ cluster: 'c', node: 'n1' });
  metrics.setRole(status.role, status.epoch);
  metrics.observeProbe('db-write', 'ok', 12);
  server = new StatusServer({ status: () => status }, metrics, { host: '127.0.0.1', port: 0, ...(token ? { token } : {}) });
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

describe('StatusServer', () => {
  it('routes by role with 200/503', async () => {
    const url = await serve(base);
    expect((await fetch(`${url}/primary`)).status).toBe(200);
    expect((await fetch(`${url}/replica`)).status).toBe(503);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const body = (await (await fetch(`${url}/primary`)).json()) as StatusReport;
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
});
