import { ContainerModule } from 'inversify';
import { Clock, definePlugin, HealthProbe } from '@tandem/core';
import { TcpProbe } from './tcp-probe.js';
import { tcpProbeOptions } from './tcp-probe-options.js';

export { TcpProbe } from './tcp-probe.js';
export { tcpProbeOptions, type TcpProbeOptions } from './tcp-probe-options.js';

export default definePlugin({
  id: 'probe-tcp',
  version: '0.1.0',
  description: 'Health probe: does a TCP port on the target accept connections?',
  provides: ['HealthProbe'],
  options: tcpProbeOptions,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(HealthProbe).toDynamicValue((ctx) => new TcpProbe(instance.options, ctx.get<Clock>(Clock)));
    }),
});
