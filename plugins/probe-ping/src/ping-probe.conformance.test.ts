import { SystemClock, type CommandResult, type CommandRunner, type CommandSpec, type NodeInfo } from '@tandem/core';
import { describeHealthProbeConformance, type HealthProbeSubject } from '@tandem/testkit';
import { PingProbe } from './ping-probe.js';
import { pingProbeOptions } from './ping-probe-options.js';

/*
 * The contract checks against a runner that answers like iputils ping does
 * (captured output), because on loopback every 127/8 address answers and the
 * rules forbid pinging anything else from the test host. The real ping runs
 * in ping-probe.test.ts (127.0.0.1) and in the lab test (s1 -> s2, NIC down).
 */
const healthy: NodeInfo = { name: 'db1', nics: { public: { name: 'eth0', address: '192.0.2.11', prefixLength: 24 } } };
const dead: NodeInfo = { name: 'db2', nics: { public: { name: 'eth0', address: '192.0.2.12', prefixLength: 24 } } };

const reply = (address: string): string =>
  `PING ${address} (${address}) 56(84) bytes of data.\n64 bytes from ${address}: icmp_seq=1 ttl=64 time=0.040 ms\n\n--- ${address} ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n`;
const silence = (address: string): string => `PING ${address} (${address}) 56(84) bytes of data.\n\n--- ${address} ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n`;

/** Answers like ping would: healthy replies, the dead target stays silent; with `hang`, nothing returns until the signal fires. */
class PingLikeRunner implements CommandRunner {
  running = 0;
  constructor(private readonly hang: boolean) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    const address = spec.args.at(-1) ?? '';
    this.running += 1;
    try {
      if (this.hang) return await this.untilAborted(spec);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (address === healthy.nics.public?.address) return { kind: 'exited', exitCode: 0, stdout: reply(address), stderr: '', durationMs: 5 };
      return { kind: 'exited', exitCode: 1, stdout: silence(address), stderr: '', durationMs: 5 };
    } finally {
      this.running -= 1;
    }
  }

  async which(file: string): Promise<string | undefined> {
    return `/usr/bin/${file}`;
  }

  private untilAborted(spec: CommandSpec): Promise<CommandResult> {
    return new Promise((resolve) => {
      const started = performance.now();
      const done = (): void => resolve({ kind: 'aborted', durationMs: performance.now() - started });
      if (spec.signal?.aborted) done();
      else spec.signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function subject(hang: boolean): HealthProbeSubject {
  const runner = new PingLikeRunner(hang);
  return { probe: new PingProbe(pingProbeOptions.parse({}), runner, new SystemClock()), healthy, dead, busy: async () => runner.running > 0 };
}

describeHealthProbeConformance('probe-ping (ping-like runner)', {
  create: async () => subject(false),
  slow: async () => subject(true),
});
