import { describe, expect, it } from 'vitest';
import { ok, outcome, type Outcome, type OutcomeCode } from '../contracts/outcome.js';
import type { ResourceAgent, ResourceState } from '../contracts/resource-agent.js';
import type { Composed } from '../plugins/compose.js';
import { SimulatedClock } from '../ports/simulated-clock.js';
import { groupDataOf } from './group-state.js';
import { demoteResources, monitorResources, promoteResources } from './resource-steps.js';

type Step = 'start' | 'promote' | 'demote' | 'stop';

/**
 * A memory resource agent that records its calls in a shared log and fails the steps it is told to.
 * (The testkit's MemoryResourceAgent cannot be imported here: the testkit depends on the core.)
 */
function group(spec: readonly { id: string; roles?: boolean; fail?: Partial<Record<Step, OutcomeCode>>; state?: ResourceState }[]) {
  const log: string[] = [];
  const running = new Set<string>();
  const make = (s: (typeof spec)[number]): ResourceAgent => {
    const act = (step: Step, effect: () => void) => async (): Promise<Outcome> => {
      log.push(`${step} ${s.id}`);
      const code = s.fail?.[step];
      if (code !== undefined) return outcome(code, `${s.id} ${step} broke`);
      effect();
      return ok();
    };
    const agent: ResourceAgent = {
      defaultTimeoutsMs: {},
      start: act('start', () => running.add(s.id)),
      stop: act('stop', () => running.delete(s.id)),
      monitor: async () => (running.has(s.id) ? ok('running', s.state ?? { role: 'primary' }) : outcome('not-running', 'stopped')),
    };
    return s.roles ? { ...agent, promote: act('promote', () => undefined), demote: act('demote', () => undefined) } : agent;
  };
  const resources: Composed<ResourceAgent>[] = spec.map((s) => ({ id: s.id, plugin: 'memory', configPath: `resources.${s.id}`, timeoutMs: 1000, impl: make(s) }));
  return { resources, log, running };
}

const ORDER = ['volume', 'vip', 'database', 'app'] as const;
const standard = (fail?: { at: (typeof ORDER)[number]; step: Step; code?: OutcomeCode }, rollbackFails: Partial<Record<string, Step>> = {}) =>
  group(
    ORDER.map((id) => ({
      id,
      roles: id === 'database',
      fail: {
        ...(fail?.at === id ? { [fail.step]: fail.code ?? 'failed' } : {}),
        ...(rollbackFails[id] ? { [rollbackFails[id]!]: 'failed' as const } : {}),
      },
    })),
  );

describe('promoteResources: group switchover with rollback', () => {
  it('starts in group order, promotes what has roles, and reports every resource started', async () => {
    const g = standard();
    const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(result.code).toBe('ok');
    expect(g.log).toEqual(['start volume', 'start vip', 'start database', 'promote database', 'start app']);
    expect(groupDataOf(result.data).group).toEqual({ state: 'promoted', started: ['volume', 'vip', 'database', 'app'] });
  });

  for (const [i, at] of ORDER.entries()) {
    it(`a start failing at ${at} rolls back what started before it, in reverse, and says so`, async () => {
      const g = standard({ at, step: 'start' });
      const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
      expect(result.code).toBe('failed');
      const touched = ORDER.slice(0, i + 1);
      const rollback = [...touched].reverse().map((id) => (id === 'database' && id !== at ? 'demote database' : `stop ${id}`));
      expect(g.log.slice(g.log.indexOf(`start ${at}`) + 1)).toEqual(rollback);
      expect(g.log).not.toContain(`start ${ORDER[i + 1]}`);
      // What is left running is only the database, demoted back to a replica (as demoteResources leaves it).
      expect([...g.running]).toEqual(touched.includes('database') && at !== 'database' ? ['database'] : []);
      expect(groupDataOf(result.data).group).toMatchObject({ state: 'rolled-back', started: [], failed: { id: at, step: 'start', code: 'failed' } });
      const undone = [...touched].reverse().map((id) => (id === 'database' && id !== at ? 'database demoted' : `${id} stopped`));
      expect(result.reason).toBe(`rolled back: ${undone.join(', ')}; ${at} failed to start at epoch 7: failed (${at} start broke)`);
    });
  }

  it('a promote that fails demotes that resource and stops the ones before it', async () => {
    const g = standard({ at: 'database', step: 'promote' });
    const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(result.reason).toMatch(/^rolled back: database demoted, vip stopped, volume stopped; database failed to promote at epoch 7/);
    expect(g.log).not.toContain('start app');
  });

  it('keeps a timeout as timeout when the rollback succeeded', async () => {
    const g = standard({ at: 'app', step: 'start', code: 'timeout' });
    const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(result.code).toBe('timeout');
    expect(groupDataOf(result.data).group?.state).toBe('rolled-back');
  });

  it('a rollback step that fails is loud: failed, NOT SAFE, names what may still run; every other step is still tried', async () => {
    const g = standard({ at: 'database', step: 'start' }, { vip: 'stop' });
    const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(result.code).toBe('failed');
    expect(result.reason).toBe('NOT SAFE: vip could not be stopped (failed: vip stop broke); group half-started: vip; database failed to start at epoch 7: failed (database start broke)');
    expect(g.log.slice(-3)).toEqual(['stop database', 'stop vip', 'stop volume']);
    expect(groupDataOf(result.data).group).toMatchObject({ state: 'half-started', started: ['vip'], rollbackFailures: [{ id: 'vip', step: 'stop', code: 'failed' }] });
  });

  it('a failed timeout with a failed rollback is still failed (never timeout or ok)', async () => {
    const g = standard({ at: 'app', step: 'start', code: 'timeout' }, { volume: 'stop', app: 'stop' });
    const result = await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/^NOT SAFE: app could not be stopped .*; volume could not be stopped .*; group half-started: volume, app;/);
  });

  it('demoteResources keeps its semantics: reverse order, every one tried, failed if any failed', async () => {
    const g = standard(undefined, { vip: 'stop' });
    await promoteResources(new SimulatedClock(), g.resources, 7, 1000);
    g.log.length = 0;
    const result = await demoteResources(new SimulatedClock(), g.resources, 7, 1000);
    expect(g.log).toEqual(['stop app', 'demote database', 'stop vip', 'stop volume']);
    expect(result.code).toBe('failed');
  });
});

describe('monitorResources', () => {
  it('passes each resource state out; degraded is still ok and shows in the summary', async () => {
    const g = group([{ id: 'volume', state: { role: 'primary', degraded: 'member /dev/sdc missing' } }, { id: 'vip' }]);
    await promoteResources(new SimulatedClock(), g.resources, 3, 1000);
    const result = await monitorResources(new SimulatedClock(), g.resources, 3, 1000);
    expect(result.code).toBe('ok');
    expect(result.reason).toBe('2 resource(s) running; volume degraded (member /dev/sdc missing)');
    expect(groupDataOf(result.data).resources).toEqual([
      { id: 'volume', state: { role: 'primary', degraded: 'member /dev/sdc missing' } },
      { id: 'vip', state: { role: 'primary' } },
    ]);
  });

  it('failed names the resource that is not running, and still reports the others', async () => {
    const g = group([{ id: 'volume' }, { id: 'vip' }]);
    await promoteResources(new SimulatedClock(), g.resources, 3, 1000);
    g.running.delete('vip');
    const result = await monitorResources(new SimulatedClock(), g.resources, 3, 1000);
    expect(result).toMatchObject({ code: 'failed', reason: 'vip: not-running (stopped)' });
    expect(groupDataOf(result.data).resources?.map((r) => r.id)).toEqual(['volume']);
  });
});
