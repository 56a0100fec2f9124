import { describe, expect, it } from 'vitest';
import type { FenceProof, Fencer } from '../contracts/fencer.js';
import { ok, outcome, type Outcome } from '../contracts/outcome.js';
import type { Composed } from '../plugins/compose.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { runFencingLevels } from './fencing-levels.js';

type Behaviour = 'ok' | 'fail' | 'hang' | 'wrong-epoch' | 'no-proof';

function fencer(id: string, behaviour: Behaviour, calls: string[]): Composed<Fencer> {
  const impl: Fencer = {
    defaultTimeoutMs: 1000,
    async fence(req, ctx): Promise<Outcome<FenceProof>> {
      calls.push(id);
      if (behaviour === 'hang') return new Promise(() => undefined);
      if (behaviour === 'fail') return outcome('failed', 'refused');
      if (behaviour === 'no-proof') return ok('done');
      return ok('off', { verified: 'power off', epoch: behaviour === 'wrong-epoch' ? req.epoch - 1 : req.epoch });
    },
    async status() {
      return ok('x', { fenced: true });
    },
  };
  void impl.fence;
  return { id, plugin: 'test', configPath: `fencing.${id}`, timeoutMs: behaviour === 'hang' ? 500 : undefined, impl };
}

const request = { node: { name: 'db1', nics: {} }, epoch: 8, reason: 'test' };

async function run(levels: Composed<Fencer>[][], clock = new SimulatedClock()): Promise<Awaited<ReturnType<typeof runFencingLevels>>> {
  const p = runFencingLevels(clock, levels, request, 2000);
  for (let i = 0; i < 10; i++) await clock.advance(1000);
  return p;
}

describe('runFencingLevels', () => {
  it('the first level that fully succeeds wins; later levels are not touched', async () => {
    const calls: string[] = [];
    const r = await run([[fencer('ipmi', 'ok', calls)], [fencer('pdu', 'ok', calls)]]);
    expect(r).toMatchObject({ ok: true, level: 1 });
    expect(calls).toEqual(['ipmi']);
  });

  it('a level succeeds only if every fencer in it succeeds; otherwise the next level is tried', async () => {
    const calls: string[] = [];
    const r = await run([[fencer('pdu-a', 'ok', calls), fencer('pdu-b', 'fail', calls)], [fencer('ipmi', 'ok', calls)]]);
    expect(r).toMatchObject({ ok: true, level: 2 });
    expect(calls).toEqual(['pdu-a', 'pdu-b', 'ipmi']);
  });

  it('a hanging fencer is cut off at its timeout and counts as failed', async () => {
    const r = await run([[fencer('bmc', 'hang', [])]]);
    expect(r.ok).toBe(false);
    expect(r.verdicts).toEqual([{ level: 1, id: 'bmc', code: 'timeout', reason: 'fencer bmc: no answer within 500 ms' }]);
  });

  it('an ok without a proof, or with the proof of another epoch, is a failure', async () => {
    const r = await run([[fencer('a', 'no-proof', [])], [fencer('b', 'wrong-epoch', [])]]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('every fencing level failed for db1 at epoch 8: level 1 a: failed (returned ok without a proof: done); level 2 b: failed (proof is for epoch 7, not 8)');
  });

  it('before a later level, a fencer that no longer holds its lease stops: no second-level fencer is called', async () => {
    const calls: string[] = [];
    const asked: number[] = [];
    const lapsedLease = async (): Promise<string | undefined> => {
      asked.push(calls.length);
      return 'db2 holds epoch 9';
    };
    const clock = new SimulatedClock();
    const p = runFencingLevels(clock, [[fencer('ipmi', 'fail', calls)], [fencer('pdu', 'ok', calls)]], request, 2000, lapsedLease);
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    const r = await p;
    expect(calls).toEqual(['ipmi']);
    // Asked once, after level 1 and before level 2: the first level needs no extra store read.
    expect(asked).toEqual([1]);
    expect(r).toMatchObject({ ok: false, reason: 'stopped before level 2 for db1 at epoch 8: db2 holds epoch 9' });
  });

  it('a fencer still entitled goes on to the next level', async () => {
    const calls: string[] = [];
    const clock = new SimulatedClock();
    const p = runFencingLevels(clock, [[fencer('ipmi', 'fail', calls)], [fencer('pdu', 'ok', calls)]], request, 2000, async () => undefined);
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    expect(await p).toMatchObject({ ok: true, level: 2 });
    expect(calls).toEqual(['ipmi', 'pdu']);
  });

  it('no levels configured: no fence, so no promotion', async () => {
    const r = await run([]);
    expect(r).toMatchObject({ ok: false, reason: 'no fencing levels are configured: no fence, no promotion' });
  });
});
