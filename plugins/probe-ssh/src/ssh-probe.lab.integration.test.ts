import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callWithDeadline, SystemClock, type NodeInfo } from '@tandem/core';
import { injectFault, Lab, serversNamed, waitForPort } from './test-support/lab.js';
import { SshProbe } from './ssh-probe.js';
import { sshProbeOptions, type SshProbeOptionsInput } from './ssh-probe-options.js';
import { ensureProbeAccount, NetnsCommandRunner } from '@tandem/lab';
import { makeSshMaterial, writeSshdConfig, type SshMaterial } from './test-support/ssh-material.js';
import { processesMentioning } from './test-support/ssh-processes.js';

/**
 * A real sshd as a lab service on s2 (listening on its public address only),
 * the real ssh client run inside s1; faults from the lab. Needs root.
 */
let lab: Lab;
let m: SshMaterial;
let failed = false;
/** Not root: see PROBE_ACCOUNT in @tandem/lab. */
let user: string;
const clock = new SystemClock();

beforeAll(async () => {
  user = await ensureProbeAccount();
  m = makeSshMaterial();
  lab = await Lab.up({ servers: serversNamed(2), power: false });
  const address = lab.address('s2', 'public');
  const { argv } = writeSshdConfig(m, address, 22);
  await lab.addService('s2', { name: 'sshd', argv });
  await waitForPort(lab.host('s1').namespace, address, 22, 10_000, 'sshd on s2');
  // The README's recipe: ssh-keyscan from where the agent runs (then check the fingerprint out of band).
  const scanned = await lab.exec('s1', ['ssh-keyscan', '-T', '5', '-t', 'ed25519', address], { timeoutMs: 10_000 });
  expect(scanned.stdout).toContain('ssh-ed25519');
  writeFileSync(m.knownHosts, scanned.stdout);
}, 60_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await lab?.down({ keepDir: failed });
  if (m) rmSync(m.dir, { recursive: true, force: true });
}, 60_000);

const s2 = (): NodeInfo => ({ name: 's2', nics: { public: { name: 'eth0', address: lab.address('s2', 'public'), prefixLength: 24 } } });

function probeFromS1(extra: Partial<SshProbeOptionsInput> = {}): SshProbe {
  const options = sshProbeOptions.parse({ user, identityFile: m.clientKey, knownHostsFile: m.knownHosts, ...extra });
  return new SshProbe(options, new NetnsCommandRunner(lab.host('s1').namespace), clock);
}

const check = (probe: SshProbe, timeoutMs = 5000) => callWithDeadline(clock, timeoutMs, 'ssh s2', (ctx) => probe.check(s2(), ctx));

describe('probe-ssh in the lab (s1 logs in to s2)', () => {
  it('logs in with the authorized key', async () => {
    const o = await check(probeFromS1());
    expect(o.code, o.reason).toBe('ok');
  });

  it('a key s2 does not accept is failed, reason authentication', async () => {
    const o = await check(probeFromS1({ identityFile: m.wrongKey }));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/authentication failed/);
  });

  it('a frozen sshd is timeout within the deadline; nothing is left running; healed: ok', async () => {
    const fault = await injectFault(lab, { kind: 'freeze-service', host: 's2', service: 'sshd' });
    try {
      const started = performance.now();
      const o = await check(probeFromS1(), 2000);
      expect(o.code, o.reason).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(2000 + 1000);
      expect(processesMentioning(m.knownHosts)).toEqual([]);
    } finally {
      await fault.heal();
    }
    expect((await check(probeFromS1())).code).toBe('ok');
  });

  it("s2's public NIC down: not ok (timeout: no answer to the connect)", async () => {
    const fault = await injectFault(lab, { kind: 'nic-down', host: 's2', nic: 'public' });
    try {
      const o = await check(probeFromS1(), 2000);
      expect(['failed', 'timeout'], o.reason).toContain(o.code);
    } finally {
      await fault.heal();
    }
  });

  it('no sshd on the port is failed, reason unreachable', async () => {
    const o = await check(probeFromS1({ port: 2222 }));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/unreachable: connection refused/);
  });
});
