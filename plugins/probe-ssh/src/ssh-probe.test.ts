import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, CommandRunner, HealthProbe, SimulatedClock, type NodeInfo } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import manifest from './index.js';
import { classifySsh } from './classify-ssh.js';
import { connectTimeoutSeconds, sshArgs } from './ssh-command.js';
import { SshProbe } from './ssh-probe.js';
import { sshProbeOptions } from './ssh-probe-options.js';

const dir = mkdtempSync(join(tmpdir(), 'probe-ssh-unit-'));
const identityFile = join(dir, 'id');
const knownHostsFile = join(dir, 'known_hosts');
writeFileSync(identityFile, 'not a real key', { mode: 0o600 });
writeFileSync(knownHostsFile, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { user: 'tandem', identityFile, knownHostsFile };
const ctx = (timeoutMs = 5000) => ({ signal: new AbortController().signal, timeoutMs });
const node: NodeInfo = { name: 'db2', nics: { public: { name: 'eth0', address: '192.0.2.12', prefixLength: 24 } } };

describe('probe-ssh options', () => {
  it('requires user, identityFile and knownHostsFile, and applies defaults', () => {
    expect(sshProbeOptions.parse(base)).toEqual({ ...base, port: 22, nic: 'public', dimension: 'host-login', defaultTimeoutMs: 5000 });
    const missing = sshProbeOptions.safeParse({ user: 'tandem', identityFile });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['knownHostsFile']);
  });

  it('names the option and the fix when one is wrong', () => {
    expect(sshProbeOptions.safeParse({ ...base, knownHostsFile: 'known_hosts' }).error?.issues[0]?.message).toMatch(/knownHostsFile must be an absolute path/);
    expect(sshProbeOptions.safeParse({ ...base, user: '-oProxyCommand=x' }).error?.issues[0]?.message).toMatch(/user must be a login name/);
    expect(sshProbeOptions.safeParse({ ...base, port: 0 }).error?.issues[0]?.message).toMatch(/port must be 1-65535/);
    expect(sshProbeOptions.safeParse({ ...base, nic: 'eth0' }).error?.issues[0]?.message).toMatch(/nic must be one of/);
  });
});

describe('ssh argv', () => {
  it('connect timeout is whole seconds under the deadline, at least 1', () => {
    expect(connectTimeoutSeconds(5000)).toBe(4);
    expect(connectTimeoutSeconds(2000)).toBe(1);
    expect(connectTimeoutSeconds(300)).toBe(1);
  });

  it('is a batch-mode key login with strict host keys from the configured file only', () => {
    const args = sshArgs('192.0.2.12', sshProbeOptions.parse({ ...base, port: 2222 }), 5000);
    expect(args).toEqual([
      '-F', 'none',
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=4',
      '-o', 'ConnectionAttempts=1',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${knownHostsFile}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'PreferredAuthentications=publickey',
      '-o', 'IdentitiesOnly=yes',
      '-i', identityFile,
      '-p', '2222',
      '-T',
      'tandem@192.0.2.12',
      'true',
    ]);
  });
});

describe('ssh results', () => {
  const c = (exitCode: number, stderr: string) => classifySsh('tandem@db2 192.0.2.12:22', answer.exit(exitCode, '', stderr), 5000);

  it('tells auth failure, unreachable and timeout apart (captured OpenSSH 9.2 messages)', () => {
    expect(c(0, '')).toMatchObject({ code: 'ok' });
    expect(c(255, 'tandem@192.0.2.12: Permission denied (publickey).\r\n')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/authentication failed/) });
    expect(c(255, 'ssh: connect to host 192.0.2.12 port 22: Connection refused\r\n')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/unreachable: connection refused/) });
    expect(c(255, 'ssh: connect to host 192.0.2.12 port 22: No route to host\r\n')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/unreachable: no route/) });
    expect(c(255, 'Connection timed out during banner exchange\r\nConnection to 192.0.2.12 port 22 timed out\r\n')).toMatchObject({ code: 'timeout' });
    expect(c(255, 'ssh: connect to host 192.0.2.12 port 22: Connection timed out\r\n')).toMatchObject({ code: 'timeout' });
  });

  it('refuses to trust an unknown or changed host key, and names an unusable identity file', () => {
    expect(c(255, 'No ED25519 host key is known for 192.0.2.12 and you have requested strict checking.\r\nHost key verification failed.\r\n')).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/ssh-keyscan/) });
    expect(c(255, '@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @\r\nHost key verification failed.\r\n')).toMatchObject({ code: 'config-error' });
    expect(c(255, '@ WARNING: UNPROTECTED PRIVATE KEY FILE! @\r\nLoad key "/k": bad permissions\r\ntandem@192.0.2.12: Permission denied (publickey).\r\n')).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/chmod 600/) });
  });

  it('a login whose shell cannot run true is failed; odd errors are unknown; runner outcomes map', () => {
    expect(c(1, 'This account is currently not available.')).toMatchObject({ code: 'failed', reason: expect.stringMatching(/logged in but/) });
    expect(c(255, 'something new')).toMatchObject({ code: 'unknown' });
    expect(classifySsh('x', answer.timeout(), 300)).toMatchObject({ code: 'timeout' });
    expect(classifySsh('x', { kind: 'aborted', durationMs: 1 }, 300)).toMatchObject({ code: 'timeout' });
    expect(classifySsh('x', answer.notInstalled('ssh', 'openssh-client'), 300)).toMatchObject({ code: 'not-installed', reason: expect.stringMatching(/openssh-client/) });
  });
});

describe('SshProbe with a scripted runner', () => {
  it('logs in to the NIC address with the caller deadline', async () => {
    const runner = recordingRunner([{ program: 'ssh', result: answer.exit(0) }]);
    const probe = new SshProbe(sshProbeOptions.parse(base), runner, new SimulatedClock());
    expect(await probe.check(node, ctx(3000))).toMatchObject({ code: 'ok', data: { latencyMs: 0 } });
    expect(runner.recorded[0]).toMatchObject({ file: 'ssh', timeoutMs: 3000 });
    expect(runner.recorded[0]?.args.slice(-2)).toEqual(['tandem@192.0.2.12', 'true']);
  });

  it('is config-error, before running ssh, when a file is missing or the NIC is absent', async () => {
    const runner = recordingRunner();
    const gone = new SshProbe(sshProbeOptions.parse({ ...base, knownHostsFile: join(dir, 'nope') }), runner, new SimulatedClock());
    expect(await gone.check(node, ctx())).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/options\.knownHostsFile .* cannot be read \(ENOENT\)/) });
    const noNic = new SshProbe(sshProbeOptions.parse({ ...base, nic: 'storage' }), runner, new SimulatedClock());
    expect(await noNic.check(node, ctx())).toMatchObject({ code: 'config-error', reason: expect.stringMatching(/nodes\.db2\.nics\.storage/) });
    expect(runner.recorded).toEqual([]);
  });

  it('is composed from its manifest with the ports of the parent container, and declares ssh', async () => {
    const root = new Container();
    root.bind(Clock).toConstantValue(new SimulatedClock());
    root.bind(CommandRunner).toConstantValue(recordingRunner([{ program: 'ssh', result: answer.exit(255, '', 'x: Permission denied (publickey).') }]));
    const child = new Container({ parent: root });
    const options = manifest.options.parse(base);
    child.load(manifest.module({ id: 'db2-login', options, localNode: node, nodes: [node] }));
    const probe = child.get<HealthProbe>(HealthProbe);
    expect(probe).toBeInstanceOf(SshProbe);
    expect((await probe.check(node, ctx())).code).toBe('failed');
    expect(manifest.requires?.(options)).toEqual([expect.objectContaining({ file: 'ssh', debianPackage: 'openssh-client' })]);
  });
});
