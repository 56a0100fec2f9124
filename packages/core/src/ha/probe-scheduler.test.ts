import { describe, expect, it } from 'vitest';
import type { HealthProbe, ProbeData } from '../contracts/health-probe.js';
import type { NodeInfo } from '../contracts/node-info.js';
import { ok, outcome, type CallContext, type Outcome } from '../contracts/outcome.js';
import type { Composed } from '../plugins/compose.js';
import { flushMicrotasks, SimulatedClock } from '../ports/simulated-clock.js';
import { MAX_CHECKS_IN_FLIGHT, ProbeScheduler } from './probe-scheduler.js';

const db1: NodeInfo = { name: 'db1', nics: {} };
const db3: NodeInfo = { name: 'db3', nics: {} };

/** A probe whose every check answers `code` after `answerMs` (or never, with Infinity), counting its calls. */
function slowProbe(clock: SimulatedClock, answerMs: number, code: 'ok' | 'failed'): { composed: Composed<HealthProbe>; calls: () => number } {
  let calls = 0;
  const impl: HealthProbe = {
    defaultTimeoutMs: 10_000,
    dimension: 'network',
    async check(_target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
      calls += 1;
      if (answerMs === Infinity) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      else await clock.sleep(answerMs, ctx.signal);
      return code === 'ok' ? ok('up', { latencyMs: answerMs }) : outcome('failed', 'down');
    },
  };
  return { composed: { id: 'ping', plugin: 'test', configPath: 'probes.checks[0]', timeoutMs: 2000, impl }, calls: () => calls };
}

async function tickFor(clock: SimulatedClock, s: ProbeScheduler, target: NodeInfo, ms: number, stepMs = 100): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    s.tick(target);
    await clock.advance(stepMs);
    await flushMicrotasks();
  }
}

describe('ProbeScheduler', () => {
  it('overlaps slow checks so failures arrive once per interval, not once per timeout', async () => {
    const clock = new SimulatedClock();
    const probe = slowProbe(clock, 1500, 'failed');
    let wakes = 0;
    const s = new ProbeScheduler(clock, [probe.composed], 500, 3, () => (wakes += 1));
    await tickFor(clock, s, db1, 2600);
    // Checks started at 0, 500, 1000, 1500, 2000, 2500; those of 0..1000 have answered by 2600.
    expect(s.view?.tallies[0]?.consecutiveFailures).toBe(3);
    // The third failure confirmed it and woke the loop once; later failures do not wake it again.
    expect(wakes).toBe(1);
    await tickFor(clock, s, db1, 1000);
    expect(s.view?.tallies[0]?.consecutiveFailures).toBe(5);
    expect(wakes).toBe(1);
  });

  it('never runs more than MAX_CHECKS_IN_FLIGHT checks of a probe that hangs, and counts a timeout as unknown', async () => {
    const clock = new SimulatedClock();
    const probe = slowProbe(clock, Infinity, 'ok');
    const s = new ProbeScheduler(clock, [probe.composed], 100, 3, () => undefined);
    await tickFor(clock, s, db1, 1000, 50);
    expect(probe.calls()).toBe(MAX_CHECKS_IN_FLIGHT);
    await tickFor(clock, s, db1, 2000, 50);
    // The 2000 ms deadline aborted the first ones: answered "timeout", not counted as failures.
    expect(s.view?.tallies[0]).toMatchObject({ consecutiveFailures: 0, lastCode: 'timeout' });
  });

  it('drops answers about a previous target and starts the new one from zero', async () => {
    const clock = new SimulatedClock();
    const probe = slowProbe(clock, 300, 'failed');
    const s = new ProbeScheduler(clock, [probe.composed], 500, 3, () => undefined);
    await tickFor(clock, s, db1, 1400);
    // Started at 0, 500, 1000; answered at 300, 800, 1300.
    expect(s.view).toMatchObject({ target: 'db1', tallies: [{ consecutiveFailures: 3 }] });
    s.tick(db3);
    expect(s.view).toMatchObject({ target: 'db3', tallies: [{ consecutiveFailures: 0, lastCode: 'unknown' }] });
    s.tick(undefined);
    expect(s.view).toBeUndefined();
  });

  it('hands each tallied answer whole to onAnswer, with its target, and drops those about a previous target', async () => {
    const clock = new SimulatedClock();
    const impl: HealthProbe = {
      defaultTimeoutMs: 10_000,
      dimension: 'heartbeat',
      async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
        await clock.sleep(300, ctx.signal);
        return ok(`answer about ${target.name}`, { latencyMs: 300, degraded: 'privateB lost' });
      },
    };
    const answers: string[] = [];
    const s = new ProbeScheduler(clock, [{ id: 'hb', plugin: 'test', configPath: 'probes.checks[0]', timeoutMs: 2000, impl }], 500, 3, () => undefined, (probe, target, answer) =>
      answers.push(`${probe} ${target} ${answer.code} ${answer.reason} ${answer.data?.degraded ?? '-'}`),
    );
    await tickFor(clock, s, db1, 400);
    expect(answers).toEqual(['hb db1 ok answer about db1 privateB lost']);
    // A check about db1 starts at 500; db3 becomes the target before it answers: that answer is not handed on.
    await tickFor(clock, s, db1, 200);
    await tickFor(clock, s, db3, 1000);
    expect(answers.slice(1).every((a) => a.startsWith('hb db3 '))).toBe(true);
    expect(answers.length).toBeGreaterThan(1);
  });
});
