import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { ok, outcome, type CallContext, type Clock, type CommandRunner, type HealthProbe, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import { classifySsh } from './classify-ssh.js';
import { sshSpec } from './ssh-command.js';
import type { SshProbeOptions } from './ssh-probe-options.js';

/**
 * Can the agent log in to the target with OpenSSH and run `true`? A real
 * session in batch mode with key authentication, strict host keys from the
 * configured file, and the caller's deadline on the whole run.
 */
export class SshProbe implements HealthProbe {
  readonly dimension: string;
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly options: SshProbeOptions,
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
  ) {
    this.dimension = options.dimension;
    this.defaultTimeoutMs = options.defaultTimeoutMs;
  }

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const address = this.options.address ?? target.nics[this.options.nic]?.address;
    if (!address) {
      return outcome('config-error', `node ${target.name} has no ${this.options.nic} NIC to log in on; set options.address or add nodes.${target.name}.nics.${this.options.nic}`);
    }
    const where = `${this.options.user}@${target.name} ${address}:${this.options.port}`;
    if (ctx.signal.aborted) return outcome('timeout', `ssh ${where}: abandoned before connecting`);
    const missing = await this.unreadableFile();
    if (missing) return outcome('config-error', `ssh ${where}: ${missing}`);
    const started = this.clock.monotonicMs();
    const result = await this.runner.run(sshSpec(address, this.options, ctx.timeoutMs, ctx.signal));
    const latencyMs = Math.max(0, this.clock.monotonicMs() - started);
    if (ctx.signal.aborted && result.kind !== 'not-installed') return outcome('timeout', `ssh ${where}: login did not finish within ${ctx.timeoutMs} ms`);
    const verdict = classifySsh(where, result, ctx.timeoutMs);
    return verdict.code === 'ok' ? ok(verdict.reason, { latencyMs }) : outcome(verdict.code, verdict.reason);
  }

  /** ssh would say "Host key verification failed" for a missing known-hosts file; name the real problem instead. */
  private async unreadableFile(): Promise<string | undefined> {
    for (const [option, path] of [
      ['knownHostsFile', this.options.knownHostsFile],
      ['identityFile', this.options.identityFile],
    ] as const) {
      try {
        await access(path, constants.R_OK);
      } catch (error) {
        return `options.${option} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); create it (see the probe-ssh README) or fix the path`;
      }
    }
    return undefined;
  }
}
