import { Container } from 'inversify';
import { Clock, CommandRunner, DryRunCommandRunner, PluginInstanceToken, ResourceAgent, SimulatedClock } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import manifest from './index.js';

function bound(options: Record<string, unknown>): ResourceAgent {
  const parsed = manifest.options.parse({ command: ['sleep', '100'], pidFile: '/tmp/tandem-roles-test.pid', ...options });
  const node = { name: 'n1', nics: {} };
  const c = new Container();
  c.bind(Clock).toConstantValue(new SimulatedClock());
  c.bind(CommandRunner).toConstantValue(new DryRunCommandRunner());
  c.bind(PluginInstanceToken).toConstantValue({ id: 'app', options: parsed, localNode: node, nodes: [node] });
  c.load(manifest.module({ id: 'app', options: parsed, localNode: node, nodes: [node] }));
  return c.get<ResourceAgent>(ResourceAgent);
}

describe('resource-process roles', () => {
  it('a plain process has no roles, so the HA cycle stops it on demotion instead of leaving it running', () => {
    const agent = bound({});
    expect(agent.promote).toBeUndefined();
    expect(agent.demote).toBeUndefined();
  });

  it('promote/demote commands, or roles: true, give it roles', () => {
    expect(bound({ promote: ['true'] }).demote).toBeTypeOf('function');
    expect(bound({ roles: true }).promote).toBeTypeOf('function');
    expect(bound({ promote: ['true'], roles: false }).promote).toBeUndefined();
  });
});
