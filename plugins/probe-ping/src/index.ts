import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, HealthProbe } from '@tandem/core';
import { PingProbe } from './ping-probe.js';
import { pingProbeOptions } from './ping-probe-options.js';

export { PingProbe } from './ping-probe.js';
export { pingProbeOptions, type PingProbeOptions, type PingProbeOptionsInput } from './ping-probe-options.js';
export { pingArgs, pingSpec, pingWaitSeconds } from './ping-command.js';
export { classifyPing, parseReceived, parseRttMs } from './classify-ping.js';

export default definePlugin({
  id: 'probe-ping',
  version: '0.1.0',
  description: 'Health probe: does the target answer an ICMP echo on a NIC?',
  provides: ['HealthProbe'],
  options: pingProbeOptions,
  requires: () => [{ file: 'ping', debianPackage: 'iputils-ping', why: 'probe-ping sends one ICMP echo per check' }],
  // Clock and CommandRunner come from the agent's root container.
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(HealthProbe).toDynamicValue((ctx) => new PingProbe(instance.options, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock)));
    }),
});
