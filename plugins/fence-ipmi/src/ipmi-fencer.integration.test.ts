import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecaCommandRunner, SystemClock, callWithDeadline, type CommandRunner, type NodeInfo, type Outcome } from '@tandem/core';
import { freeUdpPort, processAlive, ipmitoolRunningFor, startIpmiSim, type IpmiSim } from '@tandem/testkit';
import { IpmiFencer, VERIFIED_OFF } from './ipmi-fencer.js';
import { ipmiFenceOptions, type IpmiFenceOptionsInput } from './options.js';

const clock = new SystemClock();
const runner = new ExecaCommandRunner();
const PASSWORD_ENV = 'TANDEM_TEST_BMC_PASSWORD';

/** A fencer pointed at `sim` (or anything else), with its password resolved as the core would. */
function fencerFor(sim: Pick<IpmiSim, 'host' | 'port' | 'username'>, password: string, extra: Partial<IpmiFenceOptionsInput> = {}, with_: CommandRunner = runner): IpmiFencer {
  const options = ipmiFenceOptions.parse({
    port: sim.port,
    username: sim.username,
    password: { env: PASSWORD_ENV },
    // ipmi_sim does not answer "Get Channel Cipher Suites"; without -C ipmitool spends seconds asking.
    cipherSuite: 3,
    pollIntervalMs: 100,
    ...extra,
  });
  expect(options.password.resolve({ [PASSWORD_ENV]: password })).toBeUndefined();
  return new IpmiFencer(with_, clock, options);
}

const nodeAt = (sim: Pick<IpmiSim, 'host'>): NodeInfo => ({ name: 'db1', nics: {}, management: sim.host });
const call = <D>(what: string, timeoutMs: number, fn: (ctx: { signal: AbortSignal; timeoutMs: number }) => Promise<Outcome<D>>) =>
  callWithDeadline<D>(clock, timeoutMs, what, fn);

/** Is any ipmitool process still talking to this UDP port? Scans /proc, so it sees children of any runner. */

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fence-ipmi against a real ipmi_sim (ipmitool lanplus)', () => {
  let sim: IpmiSim;
  let fencer: IpmiFencer;

  beforeAll(async () => {
    sim = await startIpmiSim({ powerOnCommand: ['sleep', '1000'], extraUsers: [{ username: 'viewer', password: 'viewer-pw', privilege: 'user' }] });
    fencer = fencerFor(sim, sim.password);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('status of a powered host: ok, fenced=false, and the host process runs', async () => {
    const result = await call('status', 10_000, (ctx) => fencer.status(nodeAt(sim), ctx));
    expect(result).toMatchObject({ code: 'ok', data: { fenced: false } });
    expect(processAlive((await sim.hostPgid())!)).toBe(true);
  });

  it('fence: ok with proof only after power reads off, and the power-off hook killed the host', async () => {
    const host = (await sim.hostPgid())!;
    const result = await call('fence', 10_000, (ctx) => fencer.fence({ node: nodeAt(sim), epoch: 8, reason: 'integration' }, ctx));
    expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch: 8 } });
    expect(await sim.powerState()).toBe('off');
    await until('the host process to be gone', () => !processAlive(host));
    expect(await sim.hookLog()).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`killed process group ${host}$`))]));
  });

  it('fence again (same and later epoch): ok, power stays off, no second power-off sent', async () => {
    const offsBefore = (await sim.hookLog()).filter((l) => / set power 0$/.test(l)).length;
    for (const epoch of [8, 9]) {
      const result = await call('fence again', 10_000, (ctx) => fencer.fence({ node: nodeAt(sim), epoch, reason: 'again' }, ctx));
      expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch } });
      expect(result.reason).toMatch(/already off/);
    }
    expect((await sim.hookLog()).filter((l) => / set power 0$/.test(l)).length).toBe(offsBefore);
    expect(await call('status', 10_000, (ctx) => fencer.status(nodeAt(sim), ctx))).toMatchObject({ code: 'ok', data: { fenced: true } });
  });

  it('unfence: power on verified, a new host runs, status says not fenced; unfence again is ok', async () => {
    expect((await call('unfence', 10_000, (ctx) => fencer.unfence(nodeAt(sim), 9, ctx))).code).toBe('ok');
    expect(await sim.powerState()).toBe('on');
    expect(processAlive((await sim.hostPgid())!)).toBe(true);
    expect(await call('status', 10_000, (ctx) => fencer.status(nodeAt(sim), ctx))).toMatchObject({ code: 'ok', data: { fenced: false } });
    expect((await call('unfence again', 10_000, (ctx) => fencer.unfence(nodeAt(sim), 9, ctx))).reason).toMatch(/already on/);
  });

  it('action cycle: the host is killed (power verified off) and power comes back on', async () => {
    const host = (await sim.hostPgid())!;
    const cycler = fencerFor(sim, sim.password, { action: 'cycle' });
    const result = await call('fence cycle', 10_000, (ctx) => cycler.fence({ node: nodeAt(sim), epoch: 10, reason: 'cycle' }, ctx));
    expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch: 10 } });
    await until('the old host to be gone', () => !processAlive(host));
    expect(await sim.powerState()).toBe('on');
    expect(await sim.hostPgid()).not.toBe(host);
  });

  it('wrong password: config-error at once, power untouched', async () => {
    const started = performance.now();
    const wrong = fencerFor(sim, `${sim.password}-wrong`);
    const result = await call('fence wrong password', 10_000, (ctx) => wrong.fence({ node: nodeAt(sim), epoch: 11, reason: 'bad pw' }, ctx));
    expect(result.code).toBe('config-error');
    expect(result.reason).toMatch(/RAKP 2 HMAC is invalid/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await sim.powerState()).toBe('on');
  });

  it('unknown user, and a user-level account that may not power off: config-error', async () => {
    const stranger = fencerFor({ ...sim, username: 'nobody' }, sim.password);
    expect((await call('status unknown user', 10_000, (ctx) => stranger.status(nodeAt(sim), ctx))).code).toBe('config-error');
    const viewer = fencerFor({ ...sim, username: 'viewer' }, 'viewer-pw', { privilegeLevel: 'user' });
    const result = await call('fence as viewer', 10_000, (ctx) => viewer.fence({ node: nodeAt(sim), epoch: 12, reason: 'viewer' }, ctx));
    expect(result.code).toBe('config-error');
    expect(result.reason).toMatch(/Insufficient privilege/i);
    expect(await sim.powerState()).toBe('on');
  });

  it('a frozen BMC (ipmi_sim stopped): failed within the deadline, with what ipmitool said', async () => {
    sim.pause();
    try {
      const started = performance.now();
      const impatient = fencerFor(sim, sim.password, { requestTimeoutS: 1, retries: 1 });
      const result = await call('fence frozen', 5000, (ctx) => impatient.fence({ node: nodeAt(sim), epoch: 13, reason: 'frozen' }, ctx));
      expect(result.code).toBe('failed');
      expect(result.reason).toMatch(/did not answer \(.*(Get Auth Capabilities|Unable to establish)/);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      sim.resume();
    }
    expect(await sim.powerState()).toBe('on');
  });
});

describe('fence-ipmi without a BMC or without ipmitool', () => {
  it('nothing on the port: failed (ipmitool gave up, its stderr in the reason) well within the deadline', async () => {
    const port = await freeUdpPort();
    const silent = fencerFor({ host: '127.0.0.1', port, username: 'admin' }, 'x', { requestTimeoutS: 1, retries: 1 });
    const started = performance.now();
    const result = await call('fence nobody', 8000, (ctx) => silent.fence({ node: { name: 'db1', nics: {}, management: '127.0.0.1' }, epoch: 1, reason: 'silent' }, ctx));
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/did not answer \(.*(Get Auth Capabilities|Unable to establish)/);
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('nothing on the port and a short deadline: timeout when the deadline passes first', async () => {
    const port = await freeUdpPort();
    const silent = fencerFor({ host: '127.0.0.1', port, username: 'admin' }, 'x', { requestTimeoutS: 5, retries: 3 });
    const started = performance.now();
    const result = await call('fence nobody', 1500, (ctx) => silent.fence({ node: { name: 'db1', nics: {}, management: '127.0.0.1' }, epoch: 1, reason: 'silent' }, ctx));
    expect(result.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500 + 500);
    // The abort reached ipmitool: nothing is left asking the silent port.
    await until('ipmitool to exit', () => !ipmitoolRunningFor(port));
  });

  it('ipmitool not on PATH: not-installed naming the Debian package', async () => {
    const noTools = new ExecaCommandRunner('/nonexistent-tandem-bin');
    const fencer = fencerFor({ host: '127.0.0.1', port: 623, username: 'admin' }, 'x', {}, noTools);
    const result = await call('fence without ipmitool', 5000, (ctx) => fencer.fence({ node: { name: 'db1', nics: {}, management: '127.0.0.1' }, epoch: 1, reason: 'no tool' }, ctx));
    expect(result.code).toBe('not-installed');
    expect(result.reason).toMatch(/apt-get install ipmitool/);
  });
});
