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

export function hasRoles(options: ProcessAgentOptions): boolean {
  return options.roles ?? (options.promote !== undefined || options.demote !== undefined);
}

/** The same agent without promote/demote, so the HA cycle starts it on the primary and stops it elsewhere. */
export function withoutRoles(agent: ProcessAgent): ResourceAgent {
  return {
    defaultTimeoutsMs: agent.defaultTimeoutsMs,
    start: (ctx) => agent.start(ctx),
    stop: (ctx) => agent.stop(ctx),
    monitor: (ctx) => agent.monitor(ctx),
  };
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
      bind(ResourceAgent).toDynamicValue((ctx) => {
        const agent = new ProcessAgent(instance.options, ctx.get<Clock>(Clock), ctx.get<CommandRunner>(CommandRunner), instance.localNode.name);
        return hasRoles(instance.options) ? agent : withoutRoles(agent);
      });
    }),
});
