import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, HealthProbe } from '@tandem/core';
import { HeartbeatProbe } from './heartbeat-probe.js';
import { heartbeatProbeOptions } from './heartbeat-options.js';

export { HeartbeatProbe, linkRoundMs, confirmRoundMs } from './heartbeat-probe.js';
export { heartbeatProbeOptions, type HeartbeatProbeOptions, type HeartbeatProbeOptionsInput } from './heartbeat-options.js';
export { confirmedVerdict, linksVerdict, needsConfirmation, PRIVATE_LINKS, type HeartbeatData, type HeartbeatVerdict, type PrivateLink, type ConfirmNetwork } from './heartbeat-verdict.js';
export { localSource, pingLink, pingLinks, planLink, type LinkPlan, type LinkResult, type LinkState } from './link-ping.js';

export default definePlugin({
  id: 'probe-heartbeat',
  version: '0.1.0',
  description: 'Health probe: heartbeat over both private NICs; a peer silent on both is pinged on public and storage to tell a partition from a death',
  provides: ['HealthProbe'],
  options: heartbeatProbeOptions,
  nicRoles: ['public', 'privateA', 'privateB'],
  requires: () => [{ file: 'ping', debianPackage: 'iputils-ping', why: 'probe-heartbeat sends one ICMP echo per private link per check, and on public/storage to confirm' }],
  // Clock and CommandRunner come from the agent's root container; the local node gives the interfaces to send from.
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(HealthProbe).toDynamicValue((ctx) => new HeartbeatProbe(instance.options, instance.localNode, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock)));
    }),
});
