import { describe, expect, it } from 'vitest';
import { collectFailures, type Check, type Disposable, type SubjectFactory } from '../conformance/check.js';
import { fencerChecks } from '../conformance/fencer-conformance.js';
import { healthProbeChecks } from '../conformance/health-probe-conformance.js';
import { recoveryStrategyChecks } from '../conformance/recovery-strategy-conformance.js';
import { replicationTransportChecks } from '../conformance/replication-transport-conformance.js';
import { resourceAgentChecks } from '../conformance/resource-agent-conformance.js';
import { deliberatelyBroken, type BrokenCase } from './deliberately-broken.js';

function suiteCatches<S extends Disposable, F extends SubjectFactory<S>>(contract: string, checks: readonly Check<S, F>[], cases: Record<string, BrokenCase<F>>): void {
  describe(`${contract} suite catches deliberately broken implementations`, () => {
    for (const [name, broken] of Object.entries(cases)) {
      it(`fails ${name} in: ${broken.caughtBy.join(' | ')}`, async () => {
        const failures = await collectFailures(checks, broken.factory);
        const failed = failures.map((f) => f.name);
        for (const expected of broken.caughtBy) expect(failed, `expected "${expected}" to fail; failures: ${JSON.stringify(failures, undefined, 1)}`).toContain(expected);
        for (const f of failures) expect(f.message.length, `failure of "${f.name}" must explain itself`).toBeGreaterThan(0);
      }, 30_000);
    }
  });
}

suiteCatches('ResourceAgent', resourceAgentChecks, deliberatelyBroken.resourceAgents);
suiteCatches('HealthProbe', healthProbeChecks, deliberatelyBroken.probes);
suiteCatches('Fencer', fencerChecks, deliberatelyBroken.fencers);
suiteCatches('ReplicationTransport', replicationTransportChecks, deliberatelyBroken.transports);
suiteCatches('RecoveryStrategy', recoveryStrategyChecks, deliberatelyBroken.recoveryStrategies);
