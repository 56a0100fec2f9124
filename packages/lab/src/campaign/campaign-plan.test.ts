import { describe, expect, it } from 'vitest';
import { isRealFailure, planCampaign, STEP_KINDS, type PlannedStep } from './campaign-plan.js';
import { resolveStep } from './campaign-steps.js';

describe('planCampaign', () => {
  it('is the same for the same seed and different for another', () => {
    expect(planCampaign(7, 20)).toEqual(planCampaign(7, 20));
    expect(planCampaign(7, 20)).not.toEqual(planCampaign(8, 20));
  });

  it('keeps holds within bounds, targets servers only for server faults, and covers every kind over a long plan', () => {
    const plan = planCampaign(1, 400, { minHoldMs: 1000, maxHoldMs: 2000 });
    for (const step of plan) {
      expect(step.holdMs).toBeGreaterThanOrEqual(1000);
      expect(step.holdMs).toBeLessThanOrEqual(2000);
      expect(step.target === 'none').toBe(step.kind === 'gateway-down' || step.kind === 'store-down');
    }
    expect(new Set(plan.map((s) => s.kind))).toEqual(new Set(STEP_KINDS));
  });

  it('uses only the kinds asked for', () => {
    expect(new Set(planCampaign(3, 50, { kinds: ['power-off'] }).map((s) => s.kind))).toEqual(new Set(['power-off']));
  });
});

describe('isRealFailure', () => {
  it('counts only faults that take the primary away', () => {
    expect(isRealFailure({ kind: 'power-off', target: 'primary' })).toBe(true);
    expect(isRealFailure({ kind: 'power-off', target: 'replica' })).toBe(false);
    expect(isRealFailure({ kind: 'nic-down', target: 'primary', nic: 'public' })).toBe(true);
    expect(isRealFailure({ kind: 'nic-down', target: 'primary', nic: 'privateA' })).toBe(false);
    expect(isRealFailure({ kind: 'link-delay', target: 'primary' })).toBe(false);
    expect(isRealFailure({ kind: 'store-down', target: 'none' })).toBe(false);
  });
});

describe('resolveStep', () => {
  const planned = (kind: PlannedStep['kind'], target: PlannedStep['target']): PlannedStep => ({ index: 0, kind, target, holdMs: 1000 });
  const first = (): number => 0;

  it('freezes the database by its pid file when one is known, so it finds the one an agent started', () => {
    expect(resolveStep(planned('freeze-postgres', 'primary'), 's2', ['s1'], first, { postgresPidFile: (s) => `/lab/${s}/data/postmaster.pid` })).toEqual({
      spec: { kind: 'freeze-service', host: 's2', service: 'postgres', pidFile: '/lab/s2/data/postmaster.pid' },
      host: 's2',
    });
    expect(resolveStep(planned('freeze-postgres', 'replica'), 's2', ['s1'], first)).toEqual({ spec: { kind: 'freeze-service', host: 's1', service: 'postgres' }, host: 's1' });
  });

  it('skips a step, saying why, when its target is not there', () => {
    expect(resolveStep(planned('power-off', 'replica'), 's1', [], first)).toEqual({ skipped: 'no replica server is up' });
    expect(resolveStep({ ...planned('drop', 'replica'), nic: 'public' }, 's1', [], first)).toEqual({ skipped: 'no replica server is up' });
  });
});
