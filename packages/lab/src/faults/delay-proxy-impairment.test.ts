import { describe, expect, it } from 'vitest';
import { drawHold, seededRandom, validateImpairment } from './delay-proxy-impairment.js';

const link = { delayMs: 50, jitterMs: 0, lossPercent: 0, retransmitMs: 200 };

describe('delay proxy impairment', () => {
  it('holds a chunk for the delay plus jitter, plus retransmitMs when lost', () => {
    expect(drawHold(link, () => 0.99)).toEqual({ holdMs: 50, lost: false });
    expect(drawHold({ ...link, jitterMs: 10 }, () => 0.5)).toEqual({ holdMs: 55, lost: false });
    expect(drawHold({ ...link, lossPercent: 100 }, () => 0.99)).toEqual({ holdMs: 250, lost: true });
    expect(drawHold({ ...link, lossPercent: 30 }, () => 0.5)).toEqual({ holdMs: 50, lost: false });
  });

  it('replays the same draws for the same seed and different ones for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('loses about lossPercent of chunks over many draws', () => {
    const random = seededRandom(9);
    let lost = 0;
    for (let i = 0; i < 10_000; i++) if (drawHold({ ...link, lossPercent: 10 }, random).lost) lost += 1;
    expect(lost).toBeGreaterThan(800);
    expect(lost).toBeLessThan(1200);
  });

  it('rejects values that cannot describe a link, naming the field', () => {
    expect(() => validateImpairment({ ...link, lossPercent: 101 })).toThrow(/^lossPercent must be/);
    expect(() => validateImpairment({ ...link, delayMs: -1 })).toThrow(/^delayMs must be/);
    expect(() => validateImpairment({ ...link, jitterMs: Number.NaN })).toThrow(/^jitterMs must be/);
  });
});
