import { SystemClock, type NodeInfo } from '@tandem/core';
import { describeResourceAgentConformance, type ResourceAgentSubject } from '@tandem/testkit';
import { FakeHostRunner } from './testing/fake-host-runner.js';
import { VipAgent } from './vip-agent.js';
import { vipOptions } from './vip-options.js';

// The real commands need root and a network namespace: the lab integration test runs them.
// Here a simulated host (address table + Habets-style arping) stands in.
const node: NodeInfo = { name: 's1', nics: { public: { name: 'eth0', address: '192.0.2.11', prefixLength: 24 } } };

function subject(hangDad: boolean): ResourceAgentSubject {
  const runner = new FakeHostRunner({ hangDad });
  const agent = new VipAgent(vipOptions.parse({ address: '192.0.2.10/24', garp: { count: 3, intervalMs: 20 } }), node, runner, new SystemClock());
  return {
    agent,
    busy: async () => runner.inFlight > 0 || runner.addresses.some((a) => a.cidr === '192.0.2.10/24'),
    cleanup: async () => {
      await agent.stop({ signal: new AbortController().signal, timeoutMs: 5000, epoch: 0 });
    },
  };
}

describeResourceAgentConformance('resource-vip on a simulated host', {
  create: async () => subject(false),
  slow: async () => subject(true),
});
