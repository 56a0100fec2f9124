import { describeResourceAgentConformance, type ResourceAgentSubject } from '@tandem/testkit';
import { agentOn } from './testing/fixtures.js';

// The real commands need LIO, iscsi_tcp and md, which only the VM lab has. Here a simulated node
// (iSCSI sessions, md superblocks, one md array, a mount) answers the exact argv the agent runs.
function subject(hangLogin: boolean): ResourceAgentSubject {
  const { agent, host } = agentOn((h) => (h.hangLogin = hangLogin), { mount: { path: '/srv/tandem' } });
  return {
    agent,
    busy: async () => host.inFlight > 0 || host.md !== undefined || host.mounted || host.sessions.size > 0,
  };
}

describeResourceAgentConformance('volume-iscsi-mirror on a simulated node', {
  create: async () => subject(false),
  slow: async () => subject(true),
});
