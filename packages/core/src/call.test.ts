import { describe, expect, it } from 'vitest';
import { callWithDeadline } from './call.js';
import { ok } from './contracts/outcome.js';
import { SimulatedClock } from './ports/simulated-clock.js';

describe('callWithDeadline', () => {
  it('returns the plugin outcome when it answers in time', async () => {
    const clock = new SimulatedClock(0);
    expect(await callWithDeadline(clock, 100, 'probe', async () => ok('fine'))).toEqual({ code: 'ok', reason: 'fine' });
    expect(clock.pending()).toBe(0);
  });

  it('answers timeout at the deadline and aborts the plugin', async () => {
    const clock = new SimulatedClock(0);
    let aborted = false;
    const result = callWithDeadline(clock, 100, 'fence db1', (ctx) =>
      new Promise(() => {
        ctx.signal.addEventListener('abort', () => (aborted = true));
      }),
    );
    await clock.advance(100);
    expect(await result).toEqual({ code: 'timeout', reason: 'fence db1: no answer within 100 ms' });
    expect(aborted).toBe(true);
  });

  it('turns a throw into a failed outcome that keeps the message', async () => {
    const clock = new SimulatedClock(0);
    const result = await callWithDeadline(clock, 100, 'promote', async () => {
      throw new Error('disk full');
    });
    expect(result).toEqual({ code: 'failed', reason: 'promote threw: disk full' });
  });
});
