import { describe, expect, it } from 'vitest';
import { memoryAgentFactory } from '../broken/deliberately-broken.js';
import { collectFailures, runCheck, selectChecks, type Check } from './check.js';
import { resourceAgentChecks, type ResourceAgentFactory, type ResourceAgentSubject } from './resource-agent-conformance.js';

describe('conformance harness', () => {
  it('rejects a check that made no assertion', async () => {
    const empty: Check<ResourceAgentSubject, ResourceAgentFactory> = { name: 'does nothing', run: async () => undefined };
    // Not `expect(runCheck(...)).rejects`: that expect() would itself count as the assertion.
    const error = await runCheck(empty, memoryAgentFactory()).then(() => undefined, (e: unknown) => e);
    expect(String(error)).toMatch(/made no assertion/);
  });

  it('releases the subject even when the check fails', async () => {
    let cleaned = 0;
    const base = memoryAgentFactory();
    const factory: ResourceAgentFactory = { ...base, create: async () => ({ ...(await base.create()), cleanup: async () => void cleaned++ }) };
    const failing: Check<ResourceAgentSubject, ResourceAgentFactory> = { name: 'fails', run: async () => expect(1).toBe(2) };
    const failures = await collectFailures([failing], factory);
    expect(failures.map((f) => f.name)).toEqual(['fails']);
    expect(cleaned).toBe(1);
  });

  it('leaves out slow checks without a slow() factory and role checks without roles', () => {
    const { slow: _slow, ...base } = memoryAgentFactory();
    const names = selectChecks(resourceAgentChecks, { ...base, roles: false }).map((c) => c.name);
    expect(names.some((n) => n.includes('cannot finish'))).toBe(false);
    expect(names.some((n) => n.startsWith('promote twice'))).toBe(false);
    expect(names.length).toBe(resourceAgentChecks.length - 2);
  });
});
