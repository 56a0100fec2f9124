import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callWithDeadline, NIC_ROLES, SystemClock, type NodeInfo, type Outcome } from '@tandem/core';
import { injectFault, Lab, NetnsCommandRunner, serversNamed, type ActiveFault, type FaultSpec } from './test-support/lab.js';
import { HeartbeatProbe } from './heartbeat-probe.js';
import { heartbeatProbeOptions } from './heartbeat-options.js';
import type { HeartbeatData } from './heartbeat-verdict.js';

/**
 * The real ping inside lab host s1 probing s2 over the lab's four bridges,
 * faults from the lab: one private link down, then both, then everything.
 * Needs root (the lab fails loudly without).
 */
let lab: Lab;
let failed = false;
const clock = new SystemClock();
const TIMEOUT_MS = 2000;

beforeAll(async () => {
  lab = await Lab.up({ servers: serversNamed(2), power: false });
}, 60_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await lab?.down({ keepDir: failed });
}, 60_000);

function nodeInfo(host: string): NodeInfo {
  const nics = Object.fromEntries(NIC_ROLES.map((role) => [role, { name: lab.nic(host, role).name, address: lab.address(host, role), prefixLength: lab.nic(host, role).prefixLength }]));
  return { name: host, nics };
}

async function check(): Promise<{ outcome: Outcome<HeartbeatData>; elapsedMs: number }> {
  const probe = new HeartbeatProbe(heartbeatProbeOptions.parse({}), nodeInfo('s1'), new NetnsCommandRunner(lab.host('s1').namespace), clock);
  const started = performance.now();
  const outcome = (await callWithDeadline(clock, TIMEOUT_MS, 'heartbeat s2', (ctx) => probe.check(nodeInfo('s2'), ctx))) as Outcome<HeartbeatData>;
  return { outcome, elapsedMs: performance.now() - started };
}

/** After a heal, ARP and link state settle within a few checks; a bounded retry, never an open-ended wait. */
async function checkUntilHealthy(attempts = 5): Promise<Outcome<HeartbeatData>> {
  let last = (await check()).outcome;
  for (let i = 1; i < attempts && last.data?.verdict !== 'healthy'; i++) last = (await check()).outcome;
  return last;
}

async function withFaults(specs: readonly FaultSpec[], body: () => Promise<void>): Promise<void> {
  const active: ActiveFault[] = [];
  try {
    for (const spec of specs) active.push(await injectFault(lab, spec));
    await body();
  } finally {
    for (const fault of active.reverse()) await fault.heal();
  }
}

const nicDown = (host: string, nic: 'public' | 'storage' | 'privateA' | 'privateB'): FaultSpec => ({ kind: 'nic-down', host, nic });

describe('probe-heartbeat in the lab (s1 probes s2)', () => {
  it('all links up: ok, healthy, within the deadline', async () => {
    const { outcome, elapsedMs } = await check();
    expect(outcome.code, outcome.reason).toBe('ok');
    expect(outcome.data).toMatchObject({ verdict: 'healthy', links: { privateA: 'up', privateB: 'up' } });
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
  });

  it("s2's privateA down: still ok, degraded heartbeat naming privateA", async () => {
    await withFaults([nicDown('s2', 'privateA')], async () => {
      const { outcome, elapsedMs } = await check();
      expect(outcome.code, outcome.reason).toBe('ok');
      expect(outcome.reason).toMatch(/^degraded heartbeat: privateA lost/);
      expect(outcome.data).toMatchObject({ verdict: 'degraded', links: { privateA: 'down', privateB: 'up' }, degraded: 'privateA lost, heartbeat on privateB only' });
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 300);
    });
    expect((await checkUntilHealthy()).data?.verdict).toBe('healthy');
  });

  it("s1's own privateB down: degraded on this side too (the echo cannot leave by another NIC)", async () => {
    await withFaults([nicDown('s1', 'privateB')], async () => {
      const { outcome } = await check();
      expect(outcome.code, outcome.reason).toBe('ok');
      expect(outcome.data).toMatchObject({ verdict: 'degraded', links: { privateA: 'up', privateB: 'down' }, degraded: 'privateB lost, heartbeat on privateA only' });
    });
    expect((await checkUntilHealthy()).data?.verdict).toBe('healthy');
  });

  it('both private links of s2 down, public and storage up: failed, suspected partition', async () => {
    await withFaults([nicDown('s2', 'privateA'), nicDown('s2', 'privateB')], async () => {
      const { outcome, elapsedMs } = await check();
      expect(outcome.code, outcome.reason).toBe('failed');
      expect(outcome.reason).toMatch(/^suspected partition: privateA and privateB silent, peer answers on public and storage/);
      expect(outcome.data).toMatchObject({ verdict: 'suspected-partition', links: { privateA: 'down', privateB: 'down' }, confirm: { public: 'up', storage: 'up' } });
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 300);
    });
    expect((await checkUntilHealthy()).data?.verdict).toBe('healthy');
  });

  it('s2 silent on every network: failed, peer silent on all four networks', async () => {
    await withFaults([nicDown('s2', 'privateA'), nicDown('s2', 'privateB'), { kind: 'isolate', host: 's2' }], async () => {
      const { outcome, elapsedMs } = await check();
      expect(outcome.code, outcome.reason).toBe('failed');
      expect(outcome.reason).toMatch(/^peer silent on all four networks/);
      expect(outcome.data).toMatchObject({ verdict: 'peer-silent', confirm: { public: 'down', storage: 'down' } });
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 300);
    });
    expect((await checkUntilHealthy()).data?.verdict).toBe('healthy');
  });
});
