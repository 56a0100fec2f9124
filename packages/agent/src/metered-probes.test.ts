import { SimulatedClock } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { FailoverMeter, meteredProbes } from './metered-probes.js';
import { AgentMetrics } from './metrics.js';

describe('metrics fed by the agent', () => {
  it('times every probe check by outcome', async () => {
    const clock = new SimulatedClock(0);
    const metrics = new AgentMetrics({ cluster: 'c', node: 'n1' });
    const [p] = meteredProbes([{ id: 'db', plugin: 'x', configPath: 'probes.checks[0]', timeoutMs: undefined, impl: { dimension: 'network', defaultTimeoutMs: 10, check: async () => ({ code: 'failed', reason: 'refused' }) } }], clock, metrics);
    await p?.impl.check({ name: 'n2', nics: {} }, { signal: new AbortController().signal, timeoutMs: 10 });
    expect(await metrics.registry.metrics()).toMatch(/tandem_probe_latency_seconds_count\{[^}]*probe="db"[^}]*outcome="failed"[^}]*\} 1/);
  });

  it('counts each promotion once, timed from detection', async () => {
    const metrics = new AgentMetrics({ cluster: 'c', node: 'n1' });
    const meter = new FailoverMeter(metrics);
    const events = [
      { type: 'ha.detect', message: 'n2 failed', atMonotonicMs: 1000 },
      { type: 'action.acquire-lease', message: 'acquire lease (failover): ok', atMonotonicMs: 5000 },
      { type: 'ha.announce', message: 'n1 is primary', atMonotonicMs: 5400 },
    ];
    meter.observe(events);
    meter.observe(events);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/tandem_failovers_total\{[^}]*kind="failover"[^}]*\} 1/);
    expect(text).toMatch(/tandem_last_failover_duration_seconds\{[^}]*\} 4\.4/);
  });
});
