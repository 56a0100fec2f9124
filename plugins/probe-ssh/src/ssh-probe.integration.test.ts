import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWithDeadline, ExecaCommandRunner, SystemClock, type NodeInfo } from '@tandem/core';
import { describeHealthProbeConformance, startStalledTcpListener, type HealthProbeSubject } from '@tandem/testkit';
import { SshProbe } from './ssh-probe.js';
import { sshProbeOptions, type SshProbeOptionsInput } from './ssh-probe-options.js';
import { ensureProbeAccount } from '@tandem/lab';
import { startLoopbackSshd, type LoopbackSshd } from './test-support/loopback-sshd.js';
import { makeSshMaterial, type SshMaterial } from './test-support/ssh-material.js';
import { processesMentioning } from './test-support/ssh-processes.js';

/** A real sshd on 127.0.0.1 and the real ssh client; 127.0.0.2 is refused because sshd listens on .1 only. */
let m: SshMaterial;
let sshd: LoopbackSshd;
/** Not root: see PROBE_ACCOUNT in @tandem/lab (root's rc files are not the probe's business). */
let user: string;
const clock = new SystemClock();
const runner = new ExecaCommandRunner();
const loopback = (name: string, address: string): NodeInfo => ({ name, nics: { public: { name: 'lo', address, prefixLength: 8 } } });

beforeAll(async () => {
  user = await ensureProbeAccount();
  m = makeSshMaterial();
  sshd = await startLoopbackSshd(m);
});

afterAll(async () => {
  await sshd?.stop();
  if (m) rmSync(m.dir, { recursive: true, force: true });
});

function probe(extra: Partial<SshProbeOptionsInput> = {}): SshProbe {
  return new SshProbe(sshProbeOptions.parse({ user, identityFile: m.clientKey, knownHostsFile: m.knownHosts, port: sshd.port, ...extra }), runner, clock);
}

const check = (p: SshProbe, target: NodeInfo, timeoutMs = 5000) => callWithDeadline(clock, timeoutMs, 'ssh check', (ctx) => p.check(target, ctx));

describe('probe-ssh against a real sshd on loopback', () => {
  it('logs in with the accepted key', async () => {
    const o = await check(probe(), loopback('db1', '127.0.0.1'));
    expect(o.code, o.reason).toBe('ok');
    expect(sshd.log()).toMatch(new RegExp(`Accepted publickey for ${user} `));
  });

  it('a refused key is failed, and the reason says authentication', async () => {
    const o = await check(probe({ identityFile: m.wrongKey }), loopback('db1', '127.0.0.1'));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/authentication failed/);
  });

  it('no sshd on the address is failed, and the reason says unreachable', async () => {
    const o = await check(probe(), loopback('db2', '127.0.0.2'));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/unreachable: connection refused/);
  });

  it('an account without a shell is failed after a successful key check', async () => {
    const o = await check(probe({ user: 'nobody' }), loopback('db1', '127.0.0.1'));
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/logged in but the account could not run true/);
  });

  it('a host key that is not in the known-hosts file is config-error, never learnt', async () => {
    const empty = join(m.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const o = await check(probe({ knownHostsFile: empty }), loopback('db1', '127.0.0.1'));
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/host key verification failed/);
    expect(processesMentioning(empty)).toEqual([]);
  });

  it('a group-readable identity file is config-error naming chmod 600', async () => {
    const loose = join(m.dir, 'loose_key');
    copyFileSync(m.clientKey, loose);
    chmodSync(loose, 0o644);
    const o = await check(probe({ identityFile: loose }), loopback('db1', '127.0.0.1'));
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/chmod 600/);
  });

  it('a frozen sshd is timeout within the deadline, and ssh is not left running', async () => {
    sshd.child.kill('SIGSTOP');
    try {
      const started = performance.now();
      const o = await check(probe(), loopback('db1', '127.0.0.1'), 1500);
      const tookMs = performance.now() - started;
      expect(o.code, o.reason).toBe('timeout');
      expect(tookMs).toBeLessThan(1500 + 1000);
    } finally {
      sshd.child.kill('SIGCONT');
    }
    expect(processesMentioning(m.knownHosts)).toEqual([]);
    // and it recovers once sshd runs again
    expect((await check(probe(), loopback('db1', '127.0.0.1'))).code).toBe('ok');
  });
});

function subject(target: NodeInfo, port?: number, release?: () => Promise<void>): HealthProbeSubject {
  return {
    probe: probe(port === undefined ? {} : { port }),
    healthy: target,
    dead: loopback('db2', '127.0.0.2'),
    busy: async () => processesMentioning(m.knownHosts).length > 0,
    ...(release ? { cleanup: release } : {}),
  };
}

describeHealthProbeConformance('probe-ssh against a real sshd on loopback', {
  create: async () => subject(loopback('db1', '127.0.0.1')),
  // A listener that never completes the handshake: ssh waits for a banner that never comes.
  slow: async () => {
    const stalled = await startStalledTcpListener();
    return subject(loopback('db1', '127.0.0.1'), stalled.port, () => stalled.close());
  },
  testTimeoutMs: 30_000,
});
