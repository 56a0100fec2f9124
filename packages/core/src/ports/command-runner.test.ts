import { describe, expect, it } from 'vitest';
import { DryRunCommandRunner } from './dry-run-command-runner.js';
import { ExecaCommandRunner } from './execa-command-runner.js';

describe('ExecaCommandRunner', () => {
  const runner = new ExecaCommandRunner();

  it('captures stdout, stderr and the exit code, with no shell in between', async () => {
    const r = await runner.run({ file: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'], timeoutMs: 5000 });
    expect(r).toMatchObject({ kind: 'exited', exitCode: 3, stdout: 'out', stderr: 'err' });
    const literal = await runner.run({ file: 'echo', args: ['$HOME; rm -rf /'], timeoutMs: 5000 });
    expect(literal).toMatchObject({ kind: 'exited', stdout: '$HOME; rm -rf /' });
  });

  it('kills a command at its timeout', async () => {
    const started = performance.now();
    const r = await runner.run({ file: 'sleep', args: ['10'], timeoutMs: 200 });
    expect(r.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reports a missing binary as not-installed with its Debian package', async () => {
    const r = await runner.run({ file: 'ipmitool', args: [], timeoutMs: 1000 });
    const missing = await new ExecaCommandRunner('/nonexistent').run({ file: 'ipmitool', args: ['-V'], timeoutMs: 1000 });
    expect(r.kind === 'exited' || r.kind === 'not-installed').toBe(true);
    expect(missing).toMatchObject({ kind: 'not-installed', debianPackage: 'ipmitool' });
    if (missing.kind === 'not-installed') expect(missing.message).toContain('apt-get install ipmitool');
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await runner.run({ file: 'sleep', args: ['10'], timeoutMs: 5000, signal: controller.signal });
    expect(r.kind).toBe('aborted');
  });

  it('refuses a call without a timeout', async () => {
    await expect(runner.run({ file: 'true', args: [], timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be > 0/);
  });

  it('finds programs on PATH', async () => {
    expect(await runner.which('sh')).toMatch(/\/sh$/);
    expect(await runner.which('no-such-program-xyz')).toBeUndefined();
  });
});

describe('DryRunCommandRunner', () => {
  it('records commands and renders a reviewable, quoted script', async () => {
    const dry = new DryRunCommandRunner();
    await dry.run({ file: 'targetcli', args: ['/iscsi', 'create', "iqn.2026-01.test:it's"], timeoutMs: 30_000 });
    await dry.run({ file: 'mdadm', args: ['--assemble', '/dev/md0'], timeoutMs: 10_000, input: 'y\n' });
    expect(dry.toScript('volume apply')).toBe(
      [
        '#!/bin/sh',
        '# volume apply',
        'set -eu',
        '',
        "timeout 30s targetcli /iscsi create 'iqn.2026-01.test:it'\\''s'",
        "timeout 10s mdadm --assemble /dev/md0 <<'TANDEM_INPUT'",
        'y',
        'TANDEM_INPUT',
        '',
      ].join('\n'),
    );
  });

  it('answers from a responder and delegates read-only commands', async () => {
    const real = new ExecaCommandRunner();
    const dry = new DryRunCommandRunner({ readOnlyDelegate: real, responder: () => ({ kind: 'exited', exitCode: 7, stdout: '', stderr: '', durationMs: 0 }) });
    expect(await dry.run({ file: 'echo', args: ['hi'], timeoutMs: 1000, readOnly: true })).toMatchObject({ stdout: 'hi' });
    expect(await dry.run({ file: 'reboot', args: [], timeoutMs: 1000 })).toMatchObject({ exitCode: 7 });
    expect(dry.recorded.map((c) => c.file)).toEqual(['reboot']);
  });
});
