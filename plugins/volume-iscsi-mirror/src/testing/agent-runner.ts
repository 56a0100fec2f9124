/**
 * Runs one action of the volume-iscsi-mirror resource agent on the host it is started on, composed as the
 * agent composes it (manifest, options schema, secrets, container with the real Clock and CommandRunner),
 * and prints the outcome as one JSON line. The VM lab test starts it inside a guest:
 *
 *   node dist/testing/agent-runner.js '{"action":"monitor","config":"/path/tandem.yaml","node":"n1"}'
 */
import { Container, ContainerModule } from 'inversify';
import { allNodeInfos, callWithDeadline, Clock, CommandRunner, ExecaCommandRunner, findSecrets, loadConfigFile, resolveForNode, ResourceAgent, SystemClock, type Outcome, type ResourceCallContext } from '@tandem/core';
import plugin from '../index.js';

interface RunnerRequest {
  readonly action: 'start' | 'stop' | 'monitor' | 'promote' | 'demote';
  readonly config: string;
  readonly node: string;
  readonly timeoutMs?: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as RunnerRequest;
  const { config } = await loadConfigFile(request.config, { skipSecrets: true });
  const resource = resolveForNode(config, request.node).resources.find((r) => r.plugin === plugin.id);
  if (!resource) throw new Error(`no ${plugin.id} resource in ${request.config}`);
  const options = plugin.options.parse(resource.options);
  for (const { secret } of findSecrets(options)) {
    const failure = secret.resolve(process.env);
    if (failure) throw new Error(failure);
  }
  const nodes = allNodeInfos(config);
  const localNode = nodes.find((n) => n.name === request.node);
  if (!localNode) throw new Error(`node ${request.node} is not in ${request.config}`);
  const clock = new SystemClock();
  const container = new Container();
  container.load(
    new ContainerModule(({ bind }) => {
      bind(Clock).toConstantValue(clock);
      bind(CommandRunner).toConstantValue(new ExecaCommandRunner());
    }),
  );
  container.load(plugin.module({ id: resource.id, options, localNode, nodes }));
  const agent = container.get<ResourceAgent>(ResourceAgent);
  const timeoutMs = request.timeoutMs ?? agent.defaultTimeoutsMs[request.action] ?? 60_000;
  const result: Outcome<unknown> = await callWithDeadline<unknown>(clock, timeoutMs, `${request.action} volume`, (ctx) => {
    const run = agent[request.action] as ((c: ResourceCallContext) => Promise<Outcome<unknown>>) | undefined;
    if (!run) return Promise.resolve({ code: 'config-error' as const, reason: `this resource has no ${request.action}` });
    return run.call(agent, { ...ctx, epoch: 1 }) as Promise<Outcome<unknown>>;
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ code: 'failed', reason: `runner crashed: ${error instanceof Error ? error.message : String(error)}` })}\n`);
    process.exit(1);
  },
);
