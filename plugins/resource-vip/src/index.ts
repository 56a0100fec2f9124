import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, ResourceAgent, type RequiredCommand } from '@tandem/core';
import { VipAgent } from './vip-agent.js';
import { vipOptions, type VipOptions } from './vip-options.js';

export { VipAgent } from './vip-agent.js';
export { vipOptions, parseCidr, type VipOptions } from './vip-options.js';
export { dadArgv, garpArgv, detectFlavour, type ArpingFlavour, type GarpForm } from './arping-argv.js';
export { parseDad, type DadResult } from './parse-dad.js';
export { parseIpAddrJson, placementOf, type HostAddress, type Placement } from './ip-addr.js';

function requiredCommands(options: VipOptions): RequiredCommand[] {
  return [
    { file: 'ip', debianPackage: 'iproute2', why: 'resource-vip: add, remove and list the address' },
    {
      file: 'arping',
      debianPackage: options.arping === 'iputils' ? 'iputils-arping' : 'arping',
      why: 'resource-vip: duplicate address detection and gratuitous ARP',
    },
  ];
}

export default definePlugin({
  id: 'resource-vip',
  version: '0.1.0',
  description: 'Resource agent: a virtual IPv4 address on the primary, with duplicate detection and gratuitous ARP',
  provides: ['ResourceAgent'],
  options: vipOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ResourceAgent).toDynamicValue((ctx) => new VipAgent(instance.options, instance.localNode, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock)));
    }),
});
