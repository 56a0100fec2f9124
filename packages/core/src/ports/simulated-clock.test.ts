import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './simulated-clock.js';

describe('SimulatedClock', () => {
  it('wakes sleepers in due order, ties in creation order', async () => {
    const clock = new SimulatedClock(0);
    const woke: string[] = [];
    void clock.sleep(30).then(() => woke.push('c'));
    void clock.sleep(10).then(() => woke.push('a'));
    void clock.sleep(10).then(() => woke.push('b'));
    await clock.advance(20);
    expect(woke).toEqual(['a', 'b']);
    expect(clock.monotonicMs()).toBe(20);
    await clock.advance(10);
    expect(woke).toEqual(['a', 'b', 'c']);
  });

  it('lets a woken task schedule the next wake-up within the same advance', async () => {
    const clock = new SimulatedClock(0);
    const ticks: number[] = [];
    void (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100);
        ticks.push(clock.monotonicMs());
      }
    })();
    await clock.advance(1000);
    expect(ticks).toEqual([100, 200, 300, 400, 500]);
  });

  it('steps and drifts wall time without touching monotonic time', async () => {
    const clock = new SimulatedClock(1_000_000);
    clock.jumpWall(-5000);
    expect(clock.wallMs()).toBe(995_000);
    clock.setDrift(1000); // 0.1 % fast
    await clock.advance(10_000);
    expect(clock.wallMs()).toBe(1_005_010);
    expect(clock.monotonicMs()).toBe(10_000);
  });

  it('removes its abort listener when a sleep wakes, so a reused signal does not collect listeners', async () => {
    const clock = new SimulatedClock(0);
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed++, remove(...args))) as typeof remove;
    for (let i = 0; i < 5; i++) {
      const sleeping = clock.sleep(10, controller.signal);
      await clock.advance(10);
      await sleeping;
    }
    expect(added).toBe(5);
    expect(removed).toBe(5);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const clock = new SimulatedClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    expect(clock.pending()).toBe(0);
  });
});
