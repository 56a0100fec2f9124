import { SystemClock, type CommandResult, type CommandRunner, type CommandSpec } from '@tandem/core';
import { describeHealthProbeConformance, type HealthProbeSubject } from '@tandem/testkit';
import { HeartbeatProbe } from './heartbeat-probe.js';
import { heartbeatProbeOptions } from './heartbeat-options.js';
import { local, peer, reply, silence } from './test-support/ping-answers.js';

/*
 * The contract checks against a runner that answers like iputils ping:
 * the healthy peer replies on every network, the dead one (other
 * addresses) stays silent on all four; with `hang`, no ping returns until
 * the caller's signal fires. Real pings run in the lab integration test.
 */
const dead = {
  name: 's3',
  nics: Object.fromEntries(Object.entries(peer.nics).map(([role, nic]) => [role, { ...nic, address: nic.address.replace(/\.(\d+)$/, (_m, n: string) => `.${Number(n) + 1}`) }])),
};
const healthyAddresses = new Set(Object.values(peer.nics).map((n) => n.address));

class PingLikeRunner implements CommandRunner {
  running = 0;
  constructor(private readonly hang: boolean) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    const address = spec.args.at(-1) ?? '';
    this.running += 1;
    try {
      if (this.hang) return await untilAborted(spec);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (healthyAddresses.has(address)) return { kind: 'exited', exitCode: 0, stdout: reply(address), stderr: '', durationMs: 5 };
      return { kind: 'exited', exitCode: 1, stdout: silence(address), stderr: '', durationMs: 5 };
    } finally {
      this.running -= 1;
    }
  }

  async which(file: string): Promise<string | undefined> {
    return `/usr/bin/${file}`;
  }
}

function untilAborted(spec: CommandSpec): Promise<CommandResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const done = (): void => resolve({ kind: 'aborted', durationMs: performance.now() - started });
    if (spec.signal?.aborted) done();
    else spec.signal?.addEventListener('abort', done, { once: true });
  });
}

function subject(hang: boolean): HealthProbeSubject {
  const runner = new PingLikeRunner(hang);
  return { probe: new HeartbeatProbe(heartbeatProbeOptions.parse({}), local, runner, new SystemClock()), healthy: peer, dead, busy: async () => runner.running > 0 };
}

describeHealthProbeConformance('probe-heartbeat (ping-like runner)', {
  create: async () => subject(false),
  slow: async () => subject(true),
});
