import { describe, expect, it } from 'vitest';
import {
  DryRunCommandRunner,
  SimulatedClock,
  SystemClock,
  notInstalled,
  type CallContext,
  type CommandResult,
  type CommandSpec,
  type NodeInfo,
} from '@tandem/core';
import { IpmiFencer, VERIFIED_OFF } from './ipmi-fencer.js';
import { ipmiFenceOptions, type IpmiFenceOptionsInput } from './options.js';

const PASSWORD = 'hunter2-not-in-argv';
const node: NodeInfo = { name: 'db1', nics: {}, management: '203.0.113.21' };

function options(extra: Partial<IpmiFenceOptionsInput> = {}): ReturnType<typeof ipmiFenceOptions.parse> {
  const parsed = ipmiFenceOptions.parse({ username: 'fencer', password: { env: 'BMC_PASSWORD' }, ...extra });
  expect(parsed.password.resolve({ BMC_PASSWORD: PASSWORD })).toBeUndefined();
  return parsed;
}

const exited = (stdout: string, exitCode = 0, stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 5 });

/** A scripted BMC behind the dry-run runner: answers status from its state, obeys off/on unless told to ignore them. */
function fakeBmc(initial: 'on' | 'off', behaviour: { ignoreOff?: boolean; answer?: (spec: CommandSpec) => CommandResult | undefined } = {}) {
  const state = { power: initial };
  const specs: CommandSpec[] = [];
  const runner = new DryRunCommandRunner({
    responder: (spec) => {
      specs.push(spec);
      const scripted = behaviour.answer?.(spec);
      if (scripted) return scripted;
      const verb = spec.args.at(-1);
      if (verb === 'status') return exited(`Chassis Power is ${state.power}`);
      if (verb === 'off') {
        if (!behaviour.ignoreOff) state.power = 'off';
        return exited('Chassis Power Control: Down/Off');
      }
      state.power = 'on';
      return exited('Chassis Power Control: Up/On');
    },
  });
  return { state, specs, runner };
}

function ctx(timeoutMs = 5000, signal = new AbortController().signal): CallContext {
  return { signal, timeoutMs };
}

const request = { node, epoch: 12, reason: 'unit test' };

/** Move simulated time in small steps, letting the fencer's promise chain run between steps, until it settles (bounded). */
async function settle<T>(clock: SimulatedClock, pending: Promise<T>, stepMs = 100, stepsMax = 1000): Promise<T> {
  let done = false;
  void pending.finally(() => (done = true));
  for (let i = 0; i < stepsMax && !done; i++) {
    await new Promise((r) => setImmediate(r));
    await clock.advance(stepMs);
  }
  expect(done, 'the fencer did not settle within the simulated time allowed').toBe(true);
  return pending;
}

describe('IpmiFencer argv (dry run)', () => {
  it('fence: reads status, powers off, verifies; exact argv, password only in the environment', async () => {
    const bmc = fakeBmc('on');
    const fencer = new IpmiFencer(bmc.runner, new SystemClock(), options({ cipherSuite: 3, privilegeLevel: 'operator' }));
    const result = await fencer.fence(request, ctx());
    expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch: 12 } });
    const base = ['-I', 'lanplus', '-H', '203.0.113.21', '-p', '623', '-U', 'fencer', '-E', '-C', '3', '-L', 'OPERATOR', '-N', '1', '-R', '2', '-v', 'chassis', 'power'];
    expect(bmc.runner.recorded.map((c) => [c.file, ...c.args])).toEqual([
      ['ipmitool', ...base, 'status'],
      ['ipmitool', ...base, 'off'],
      ['ipmitool', ...base, 'status'],
    ]);
    for (const spec of bmc.specs) {
      expect(spec.args.join(' ')).not.toContain(PASSWORD);
      expect(spec.env).toEqual({ IPMI_PASSWORD: PASSWORD });
      expect(spec.timeoutMs).toBeGreaterThan(0);
      expect(spec.timeoutMs).toBeLessThanOrEqual(5000);
    }
    expect(bmc.specs.map((s) => s.readOnly)).toEqual([true, false, true]);
    expect(bmc.runner.toScript()).not.toContain(PASSWORD);
  });

  it('leaves -C and -L out when not configured, and uses options.host and port over the node address', async () => {
    const bmc = fakeBmc('on');
    const fencer = new IpmiFencer(bmc.runner, new SystemClock(), options({ host: 'bmc-db1.example', port: 6230 }));
    await fencer.status(node, ctx());
    expect(bmc.runner.recorded[0]?.args).toEqual(['-I', 'lanplus', '-H', 'bmc-db1.example', '-p', '6230', '-U', 'fencer', '-E', '-N', '1', '-R', '2', '-v', 'chassis', 'power', 'status']);
  });

  it('already off: one status read, no power command, ok with the proof at the request epoch', async () => {
    const bmc = fakeBmc('off');
    const result = await new IpmiFencer(bmc.runner, new SystemClock(), options()).fence(request, ctx());
    expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch: 12 } });
    expect(result.reason).toMatch(/already off/);
    expect(bmc.runner.recorded.map((c) => c.args.at(-1))).toEqual(['status']);
  });

  it('action cycle: off, verified off, then on', async () => {
    const bmc = fakeBmc('on');
    const result = await new IpmiFencer(bmc.runner, new SystemClock(), options({ action: 'cycle' })).fence(request, ctx());
    expect(result).toMatchObject({ code: 'ok', data: { verified: VERIFIED_OFF, epoch: 12 } });
    expect(bmc.runner.recorded.map((c) => c.args.at(-1))).toEqual(['status', 'off', 'status', 'on']);
    expect(bmc.state.power).toBe('on');
  });

  it('unfence: powers on and verifies; again is ok without a command', async () => {
    const bmc = fakeBmc('off');
    const fencer = new IpmiFencer(bmc.runner, new SystemClock(), options());
    expect((await fencer.unfence(node, 12, ctx())).code).toBe('ok');
    expect(bmc.runner.recorded.map((c) => c.args.at(-1))).toEqual(['status', 'on', 'status']);
    expect((await fencer.unfence(node, 12, ctx())).code).toBe('ok');
    expect(bmc.runner.recorded).toHaveLength(4);
  });

  it('status maps power off to fenced=true and on to fenced=false', async () => {
    for (const [power, fenced] of [['off', true], ['on', false]] as const) {
      const result = await new IpmiFencer(fakeBmc(power).runner, new SystemClock(), options()).status(node, ctx());
      expect(result).toMatchObject({ code: 'ok', data: { fenced } });
    }
  });
});

describe('IpmiFencer failure mapping', () => {
  const fenceWith = async (answer: (spec: CommandSpec) => CommandResult | undefined) => {
    const bmc = fakeBmc('on', { answer });
    return new IpmiFencer(bmc.runner, new SystemClock(), options()).fence(request, ctx());
  };

  it('ipmitool missing → not-installed naming the Debian package', async () => {
    const result = await fenceWith(() => notInstalled('ipmitool'));
    expect(result.code).toBe('not-installed');
    expect(result.reason).toMatch(/apt-get install ipmitool/);
  });

  it('bad password → config-error (retrying will not help)', async () => {
    const stderr = 'Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session';
    const result = await fenceWith(() => exited('', 1, stderr));
    expect(result.code).toBe('config-error');
    expect(result.reason).toMatch(/RAKP 2 HMAC is invalid/);
    expect(result.reason).not.toMatch(/IANA/);
  });

  it('unknown user and insufficient privilege → config-error', async () => {
    expect((await fenceWith(() => exited('', 1, 'RAKP 2 message indicates an error : unauthorized name'))).code).toBe('config-error');
    const denied = (spec: CommandSpec) => (spec.args.at(-1) === 'off' ? exited('', 1, 'Set Chassis Power Control to Down/Off failed: Insufficient privilege level') : undefined);
    expect((await fenceWith(denied)).code).toBe('config-error');
  });

  it('BMC not answering → failed with ipmitool stderr in the reason', async () => {
    const stderr = 'Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session';
    const result = await fenceWith(() => exited('', 1, stderr));
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/did not answer.*Get Auth Capabilities error/);
  });

  it('runner timeout → timeout with stderr; a garbled status → unknown', async () => {
    const slow = await fenceWith(() => ({ kind: 'timeout', stdout: '', stderr: 'Get Auth Capabilities error', durationMs: 5000 }));
    expect(slow.code).toBe('timeout');
    expect(slow.reason).toMatch(/Get Auth Capabilities error/);
    expect((await fenceWith(() => exited('Chassis Power is flickering'))).code).toBe('unknown');
  });

  it('no host and no management address → config-error naming both fixes', async () => {
    const fencer = new IpmiFencer(fakeBmc('on').runner, new SystemClock(), options());
    const result = await fencer.fence({ ...request, node: { name: 'db9', nics: {} } }, ctx());
    expect(result.code).toBe('config-error');
    expect(result.reason).toMatch(/nodes\.db9\.management or options\.host/);
  });

  it('an unresolved password secret → config-error, and nothing runs', async () => {
    const bmc = fakeBmc('on');
    const unresolved = ipmiFenceOptions.parse({ username: 'fencer', password: { env: 'NEVER_SET' } });
    const result = await new IpmiFencer(bmc.runner, new SystemClock(), unresolved).fence(request, ctx());
    expect(result.code).toBe('config-error');
    expect(bmc.runner.recorded).toHaveLength(0);
  });

  it('an already-aborted signal → timeout, and nothing runs', async () => {
    const bmc = fakeBmc('on');
    const controller = new AbortController();
    controller.abort();
    const result = await new IpmiFencer(bmc.runner, new SystemClock(), options()).fence(request, ctx(5000, controller.signal));
    expect(result.code).toBe('timeout');
    expect(bmc.runner.recorded).toHaveLength(0);
  });

  it('power that never reads off: failed after verifyTimeoutMs, never ok (simulated clock)', async () => {
    const clock = new SimulatedClock();
    const bmc = fakeBmc('on', { ignoreOff: true });
    const fencer = new IpmiFencer(bmc.runner, clock, options({ verifyTimeoutMs: 2000, pollIntervalMs: 500 }));
    const result = await settle(clock, fencer.fence(request, ctx(60_000)));
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/did not read off in time; it still reads on/);
    const statusReads = bmc.runner.recorded.filter((c) => c.args.at(-1) === 'status').length;
    expect(statusReads).toBe(1 + 5); // the first read, then reads at 0, 500, 1000, 1500, 2000 ms
  });

  it('the caller deadline bounds verification: timeout, not failed', async () => {
    const clock = new SimulatedClock();
    const bmc = fakeBmc('on', { ignoreOff: true });
    const fencer = new IpmiFencer(bmc.runner, clock, options({ verifyTimeoutMs: 60_000, pollIntervalMs: 500 }));
    const result = await settle(clock, fencer.fence(request, ctx(1200)));
    expect(result.code).toBe('timeout');
    for (const c of bmc.runner.recorded) expect(c.timeoutMs).toBeLessThanOrEqual(1200);
  });
});
