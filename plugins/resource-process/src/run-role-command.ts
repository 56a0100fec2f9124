import { ok, outcome, shellQuote, type CommandRunner, type Outcome, type ResourceCallContext } from '@tandem/core';
import type { ProcessAgentOptions } from './process-agent-options.js';

/**
 * Run the configured promote/demote command through the command runner.
 * The epoch and pid reach it as environment variables (TANDEM_EPOCH,
 * TANDEM_PID, TANDEM_ACTION), so a service can refuse a stale promotion.
 */
export async function runRoleCommand(
  runner: CommandRunner,
  argv: readonly string[],
  call: { action: 'promote' | 'demote'; pid: number; options: ProcessAgentOptions; ctx: ResourceCallContext },
): Promise<Outcome> {
  const [file = '', ...args] = argv;
  const line = shellQuote(argv);
  const { ctx, options } = call;
  const result = await runner.run({
    file,
    args,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    env: { ...options.env, TANDEM_EPOCH: String(ctx.epoch), TANDEM_PID: String(call.pid), TANDEM_ACTION: call.action },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  switch (result.kind) {
    case 'exited':
      return result.exitCode === 0 ? ok(`${call.action} command \`${line}\` succeeded`) : outcome('failed', `${call.action} command \`${line}\` exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(-200) || 'no output'}`);
    case 'not-installed':
      return outcome('not-installed', `${call.action} command: ${result.message}`);
    case 'timeout':
      return outcome('timeout', `${call.action} command \`${line}\` did not finish within ${ctx.timeoutMs} ms`);
    case 'aborted':
      return outcome('timeout', `${call.action} command \`${line}\` was stopped: the caller's deadline passed`);
  }
}
