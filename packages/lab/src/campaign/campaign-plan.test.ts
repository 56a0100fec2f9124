import { describe, expect, it } from 'vitest';
import { isRealFailure, planCampaign, STEP_KINDS } from './campaign-plan.js';

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
