import { describe, expect, it } from 'vitest';
import { createLogger } from '../ports/logger.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';
import type { Action, ActionResult, InFlightAction } from './actions.js';
import { AgentLoop, type ActionRunner } from './agent-loop.js';

const timing = { probeIntervalMs: 1000, gatewayTimeoutMs: 4000, leaseTtlMs: 10_000, leaseRenewIntervalMs: 2000, fenceTimeoutMs: 5000, storeTimeoutMs: 1000, actionTimeoutMs: 30_000 };

describe('AgentLoop', () => {
  it('takes finished results after the store read, in the same turn as it reads what is in flight', async () => {
    const clock = new SimulatedClock();
    const calls: string[] = [];
    const store = new MemoryCoordinationStore({ clock });
    const readLease = store.readLease.bind(store);
    store.readLease = async () => {
      calls.push('read lease');
      return readLease();
    };
    const executor: ActionRunner = {
      submit: (actions: readonly Action[]) => actions,
      inFlight: (): readonly InFlightAction[] => {
        calls.push('in flight');
        return [];
      },
      takeResults: (): readonly ActionResult[] => {
        calls.push('take results');
        return [];
      },
    };
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store, executor, probes: [], logger: createLogger({ level: 'silent' }), timing, confirmFailures: 3, fenceLevelCount: 0 });
    await loop.runCycle();
    // An action that finishes during the read is a result or still in flight when decide looks, never neither.
    expect(calls.indexOf('take results')).toBeGreaterThan(calls.indexOf('read lease'));
    expect(calls.indexOf('in flight')).toBeGreaterThan(calls.indexOf('take results'));
  });

  it('a record the store skipped is alert.malformed-record, once per report, and the cycle goes on with the rest', async () => {
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    const skipped = [{ key: 'tandem:c:member:db2', reason: 'not JSON: "{"' }];
    store.takeSkippedRecords = () => skipped.splice(0);
    const executor: ActionRunner = { submit: (actions: readonly Action[]) => actions, inFlight: (): readonly InFlightAction[] => [], takeResults: (): readonly ActionResult[] => [] };
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store, executor, probes: [], logger: createLogger({ level: 'silent' }), timing, confirmFailures: 3, fenceLevelCount: 0 });
    await loop.runCycle();
    await loop.runCycle();
    const alerts = loop.status().events.filter((e) => e.type === 'alert.malformed-record');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toEqual({ key: 'tandem:c:member:db2', reason: 'not JSON: "{"' });
    expect(alerts[0]?.message).toMatch(/^skipped a malformed record in the store \(tandem:c:member:db2\): not JSON/);
    expect(loop.status().storeReachable).toBe(true);
  });

  it('the end of a sole-copy window is one ha.second-copy event; a clear that keeps failing is one warning per reason', async () => {
    const clock = new SimulatedClock();
    const store = new MemoryCoordinationStore({ clock });
    const monitor: Action = { kind: 'monitor', epoch: 1, timeoutMs: 2000 };
    const refused = 'x; a second copy exists but the store still records epoch 1 as the sole copy: the store refused it';
    const batches: ActionResult[][] = [
      [{ action: monitor, code: 'ok', reason: refused, startedAtMs: 0, finishedAtMs: 1, data: { soleCopyCleared: false } }],
      [{ action: monitor, code: 'ok', reason: refused, startedAtMs: 1, finishedAtMs: 2, data: { soleCopyCleared: false } }],
      [{ action: monitor, code: 'ok', reason: 'x; acknowledged writes have a second copy', startedAtMs: 2, finishedAtMs: 3, data: { soleCopyCleared: true } }],
      [{ action: monitor, code: 'ok', reason: 'x', startedAtMs: 3, finishedAtMs: 4 }],
    ];
    const executor: ActionRunner = { submit: (actions: readonly Action[]) => actions, inFlight: (): readonly InFlightAction[] => [], takeResults: (): readonly ActionResult[] => batches.shift() ?? [] };
    const warnings: string[] = [];
    const logger = { ...createLogger({ level: 'silent' }), warn: (_f: Record<string, unknown>, m: string) => void warnings.push(m) };
    const loop = new AgentLoop({ node: 'db1', nodes: [{ name: 'db1', nics: {} }], clock, store, executor, probes: [], logger, timing, confirmFailures: 3, fenceLevelCount: 0 });
    for (let i = 0; i < 4; i++) await loop.runCycle();
    expect(warnings.filter((w) => w.includes('still records epoch 1 as the sole copy'))).toHaveLength(1);
    expect(loop.status().events.filter((e) => e.type === 'ha.second-copy').map((e) => e.message)).toEqual([
      "db1's acknowledged writes have a second copy: other nodes may take over again",
    ]);
  });
});
