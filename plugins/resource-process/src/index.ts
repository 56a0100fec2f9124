import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, DEBIAN_PACKAGES, definePlugin, ResourceAgent, type RequiredCommand } from '@tandem/core';
import { ProcessAgent } from './process-agent.js';
import { processAgentOptions, type ProcessAgentOptions } from './process-agent-options.js';

export { ProcessAgent } from './process-agent.js';
export { processAgentOptions, type ProcessAgentOptions } from './process-agent-options.js';
export { PidFile, processAlive } from './pid-file.js';

function requiredCommands(options: ProcessAgentOptions): RequiredCommand[] {
  const uses: [string, readonly string[] | undefined][] = [
    ['the managed process', options.command],
    ['promote', options.promote],
    ['demote', options.demote],
  ];
  return uses.flatMap(([why, argv]) => {
    const file = argv?.[0];
    if (!file) return [];
    const debianPackage = DEBIAN_PACKAGES[file.split('/').pop() ?? file];
    return [{ file, why: `resource-process: ${why}`, ...(debianPackage ? { debianPackage } : {}) }];
  });
}

export default definePlugin({
  id: 'resource-process',
  version: '0.1.0',
  description: 'Resource agent: one long-running process with a pid file, SIGTERM/SIGKILL stop and recorded roles',
  provides: ['ResourceAgent'],
  options: processAgentOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(ResourceAgent).toDynamicValue((ctx) => new ProcessAgent(instance.options, ctx.get<Clock>(Clock), ctx.get<CommandRunner>(CommandRunner)));
    }),
});
