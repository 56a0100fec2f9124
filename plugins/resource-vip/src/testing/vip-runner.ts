/**
 * Runs one action of the resource-vip plugin on the host it is started on,
 * composed as the agent would compose it (manifest, options schema,
 * container with the real Clock and CommandRunner), and prints the outcome
 * as one JSON line. The lab test starts it inside a server's namespace:
 *
 *   ip netns exec <ns> node dist/testing/vip-runner.js '{"action":"start","node":{...},"options":{...}}'
 *
 * After a start it stays until the background gratuitous ARPs are over,
 * since exiting would cut the burst short.
 */
import { Container, ContainerModule } from 'inversify';
import { callWithDeadline, Clock, CommandRunner, ExecaCommandRunner, ResourceAgent, SystemClock, type NodeInfo, type Outcome } from '@tandem/core';
import plugin from '../index.js';
import { VipAgent } from '../vip-agent.js';

interface RunnerRequest {
  readonly action: 'start' | 'stop' | 'monitor';
  readonly node: NodeInfo;
  readonly options: unknown;
  readonly timeoutMs?: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as RunnerRequest;
  const clock = new SystemClock();
  const container = new Container();
  container.load(
    new ContainerModule(({ bind }) => {
      bind(Clock).toConstantValue(clock);
      bind(CommandRunner).toConstantValue(new ExecaCommandRunner());
    }),
  );
  const options = plugin.options.parse(request.options);
  container.load(plugin.module({ id: 'vip', options, localNode: request.node, nodes: [request.node] }));
  const agent = container.get<ResourceAgent>(ResourceAgent);
  const timeoutMs = request.timeoutMs ?? agent.defaultTimeoutsMs[request.action] ?? 10_000;
  const result: Outcome<unknown> = await callWithDeadline<unknown>(clock, timeoutMs, `${request.action} VIP`, (ctx) => agent[request.action]({ ...ctx, epoch: 1 }));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (agent instanceof VipAgent) await agent.announcementsSettled();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ code: 'failed', reason: `runner crashed: ${error instanceof Error ? error.message : String(error)}` })}\n`);
    process.exit(1);
  },
);
