import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callWithDeadline, SystemClock, type NodeInfo } from '@tandem/core';
import { injectFault, Lab, serversNamed } from './test-support/lab.js';
import { PingProbe } from './ping-probe.js';
import { pingProbeOptions, type PingProbeOptionsInput } from './ping-probe-options.js';
import { NetnsCommandRunner } from '@tandem/lab';

/** The real ping, run inside lab host s1, against s2's NICs; faults from the lab. Needs root (the lab fails loudly without). */
let lab: Lab;
let failed = false;
const clock = new SystemClock();

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
  const nic = (role: 'public' | 'privateA') => ({ name: lab.nic(host, role).name, address: lab.address(host, role), prefixLength: 24 });
  return { name: host, nics: { public: nic('public'), privateA: nic('privateA') } };
}

function probeFromS1(options: PingProbeOptionsInput = {}): PingProbe {
  return new PingProbe(pingProbeOptions.parse(options), new NetnsCommandRunner(lab.host('s1').namespace), clock);
}

const check = (probe: PingProbe, timeoutMs = 2000) => callWithDeadline(clock, timeoutMs, 'ping s2', (ctx) => probe.check(nodeInfo('s2'), ctx));

describe('probe-ping in the lab (s1 pings s2)', () => {
  it('s2 answers on its public NIC and, through eth2, on privateA', async () => {
    const pub = await check(probeFromS1());
    expect(pub.code, pub.reason).toBe('ok');
    expect(pub.reason).toContain(lab.address('s2', 'public'));
    const priv = await check(probeFromS1({ nic: 'privateA', sourceInterface: lab.nic('s1', 'privateA').name }));
    expect(priv.code, priv.reason).toBe('ok');
  });

  it("s2's public NIC down: the public ping fails (counted), privateA still answers; healed: ok again", async () => {
    const fault = await injectFault(lab, { kind: 'nic-down', host: 's2', nic: 'public' });
    try {
      const started = performance.now();
      const o = await check(probeFromS1(), 1500);
      expect(o.code, o.reason).toBe('failed');
      expect(performance.now() - started).toBeLessThan(1500 + 500);
      expect((await check(probeFromS1({ nic: 'privateA' }))).code).toBe('ok');
    } finally {
      await fault.heal();
    }
    expect((await check(probeFromS1(), 3000)).code).toBe('ok');
  });

  it('a source interface that does not exist on s1 is config-error', async () => {
    const o = await check(probeFromS1({ sourceInterface: 'eth9' }));
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/sourceInterface/);
  });
});
