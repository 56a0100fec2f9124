import { describe, expect, it } from 'vitest';
import { accepts, CliSandbox, ensureBuilt } from './cli-support.js';

interface DemoResult {
  oldPrimary: string;
  newPrimary: string;
  epochs: [number, number];
  failoverMs: number;
  timeline: { step: string; atWallMs?: number; node?: string }[];
  kept: boolean;
}

describe('tandem demo (the quick start)', () => {
  it('crashes the primary, fails over with a fence before the promotion, and leaves nothing running', async () => {
    ensureBuilt();
    const cli = new CliSandbox();
    try {
      const r = cli.json<DemoResult>(['demo', '--timeout-ms', '40000'], { TANDEM_LOG_LEVEL: 'warn' });
      expect(r.code, r.stderr).toBe(0);
      const d = r.body;
      expect(d.newPrimary).not.toBe(d.oldPrimary);
      expect(d.epochs[1]).toBeGreaterThan(d.epochs[0]);
      const at = Object.fromEntries(d.timeline.map((row) => [row.step, row.atWallMs]));
      for (const step of ['crash', 'detect+confirm', 'gateway', 'elect', 'fence', 'compensate', 'promote', 'serve']) expect(at[step], step).toBeTypeOf('number');
      const order = ['crash', 'detect+confirm', 'elect', 'fence', 'compensate', 'promote'].map((s) => at[s] as number);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(d.timeline.filter((row) => ['elect', 'fence', 'compensate', 'promote', 'serve'].includes(row.step)).every((row) => row.node === d.newPrimary)).toBe(true);
      // Bounded by the demo's timing: lease TTL 6 s plus a few cycles.
      expect(d.failoverMs).toBeLessThan(15_000);
      const listening = ['127.0.0.1:18080', ...['11', '12', '13'].flatMap((n) => [`127.0.0.${n}:8008`, `127.0.0.${n}:15432`])];
      const left = await Promise.all(listening.map(async (a) => ((await accepts(a.split(':')[0] ?? '', Number(a.split(':')[1]))) ? a : '')));
      expect(left.filter(Boolean)).toEqual([]);
    } finally {
      cli.cleanup();
    }
  }, 90_000);
});
