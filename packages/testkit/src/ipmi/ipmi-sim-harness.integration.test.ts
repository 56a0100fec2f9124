import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive, startIpmiSim, type IpmiSim } from './ipmi-sim-harness.js';
import { rmcpPing } from './rmcp-ping.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function ipmitool(sim: IpmiSim, command: readonly string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...sim.ipmitoolEnv() };
    execFile('ipmitool', [...sim.ipmitoolArgs(), ...command], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('ipmitool is not installed on this host; install it with: apt-get install -y ipmitool'));
        return;
      }
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code: Number.isFinite(code) ? code : 1, stdout, stderr });
    });
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ipmi_sim harness (real ipmi_sim + ipmitool)', () => {
  let sim: IpmiSim;

  beforeAll(async () => {
    sim = await startIpmiSim({ powerOnCommand: ['sleep', '1000'] });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('comes up powered on with its host process running, and answers ipmitool', async () => {
    const pgid = await sim.hostPgid();
    expect(pgid).toBeGreaterThan(1);
    expect(processAlive(pgid!)).toBe(true);
    const run = await ipmitool(sim, ['chassis', 'power', 'status']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Chassis Power is on');
  });

  it('power off kills the host process group before the state reads off; power on starts a new one', async () => {
    const before = (await sim.hostPgid())!;
    expect((await ipmitool(sim, ['chassis', 'power', 'off'])).code).toBe(0);
    expect(await sim.powerState()).toBe('off');
    await until('the host to die', () => !processAlive(before));
    expect((await ipmitool(sim, ['chassis', 'power', 'status'])).stdout.trim()).toBe('Chassis Power is off');
    expect(await sim.hookLog()).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`killed process group ${before}$`))]));

    expect((await ipmitool(sim, ['chassis', 'power', 'on'])).code).toBe(0);
    expect(await sim.powerState()).toBe('on');
    const after = await sim.hostPgid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(processAlive(after!)).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const wrong: IpmiSim = { ...sim, ipmitoolEnv: () => ({ IPMI_PASSWORD: `${sim.password}x` }) };
    const run = await ipmitool(wrong, ['chassis', 'power', 'status']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Unable to establish IPMI v2/);
  });

  it('paused, it keeps the port but answers nothing; resumed, it answers again', async () => {
    sim.pause();
    try {
      expect(await rmcpPing(sim.host, sim.port, 500)).toBe(false);
    } finally {
      sim.resume();
    }
    expect(await rmcpPing(sim.host, sim.port, 2000)).toBe(true);
  });

  it('stop() ends ipmi_sim and the host, and removes its directory', async () => {
    const other = await startIpmiSim({ powerOnCommand: ['sleep', '1000'] });
    const host = (await other.hostPgid())!;
    expect(processAlive(other.pid)).toBe(true);
    await other.stop();
    await until('ipmi_sim and its host to be gone', () => !processAlive(other.pid) && !processAlive(host));
    expect(existsSync(other.dir)).toBe(false);
  });

  it('without ipmi_sim on PATH, start fails loudly with the apt-get line', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-tandem-bin';
    try {
      await expect(startIpmiSim()).rejects.toThrow(/apt-get install -y openipmi/);
    } finally {
      process.env.PATH = path;
    }
  });
});
