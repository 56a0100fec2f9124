import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderVmChassisHook } from './vm-chassis-hook.js';

/**
 * The hook run for real by sh, against a stand-in for qemu: a `tail -f`
 * whose argv carries the pid file path, as qemu's `-pidfile <path>` does.
 */
describe('VM chassis hook', () => {
  let dir: string;
  let pidFile: string;
  let hook: string;
  let fakeQemu: ChildProcess | undefined;

  const run = (...args: string[]) => spawnSync(hook, ['0x20', ...args], { encoding: 'utf8', timeout: 15_000 });
  const hookLog = () => readFileSync(join(dir, 'hook.log'), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vm-hook-'));
    pidFile = join(dir, 'qemu.pid');
    writeFileSync(pidFile, '');
    hook = join(dir, 'chassis-hook.sh');
    writeFileSync(hook, renderVmChassisHook({ stateDir: dir, guest: 's1', pidFile }));
    chmodSync(hook, 0o755);
  });

  afterEach(() => {
    fakeQemu?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const startFakeQemu = (): ChildProcess => {
    fakeQemu = spawn('tail', ['-f', '/dev/null', pidFile], { stdio: 'ignore' });
    writeFileSync(pidFile, `${fakeQemu.pid}\n`);
    return fakeQemu;
  };

  it('reports power from the process itself, and power off kills it and waits until it is gone', async () => {
    const qemu = startFakeQemu();
    expect(run('get', 'power').stdout.trim()).toBe('power:1');
    const exited = new Promise((resolve) => qemu.once('exit', (_code, signal) => resolve(signal)));
    const off = run('set', 'power', '0');
    expect(off.status).toBe(0);
    expect(await exited).toBe('SIGKILL');
    expect(run('get', 'power').stdout.trim()).toBe('power:0');
    expect(hookLog()).toMatch(new RegExp(`power off \\(SIGKILL to qemu ${qemu.pid} of s1`));
    // A second power off finds nothing to kill and still succeeds (a fencer may retry).
    expect(run('set', 'power', '0').status).toBe(0);
    expect(hookLog()).toContain('qemu of s1 already gone');
  });

  it('reads off when the pid file names a live process that is not this guest\'s qemu (a reused pid)', () => {
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(run('get', 'power').stdout.trim()).toBe('power:0');
    expect(run('set', 'power', '0').status).toBe(0);
  });

  it('refuses power on of an off guest, naming the lab call that boots it', () => {
    const on = run('set', 'power', '1');
    expect(on.status).not.toBe(0);
    expect(hookLog()).toMatch(/power on REFUSED.*lab\.guest\('s1'\)\.powerOn\(\)/);
    // Power on of a guest that is on is a no-op that succeeds.
    startFakeQemu();
    expect(run('set', 'power', '1').status).toBe(0);
    expect(hookLog()).toContain('power on (already on)');
  });
});
