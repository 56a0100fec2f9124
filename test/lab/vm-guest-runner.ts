import type { CommandResult, CommandRunner } from '@tandem/core';
import type { VmGuest } from '@tandem/lab';

/**
 * A plugin's CommandRunner that runs each argv in a VM-lab guest through its
 * control channel: the test drives a plugin in-process while its commands run
 * on the node, exactly as the agent there would run them.
 */
export function guestRunner(g: VmGuest): CommandRunner {
  return {
    async run(spec): Promise<CommandResult> {
      if (spec.signal?.aborted) return { kind: 'aborted', durationMs: 0 };
      const r = await g.exec([spec.file, ...spec.args], { timeoutMs: spec.timeoutMs, allowFailure: true, ...(spec.input !== undefined ? { input: spec.input } : {}), ...(spec.env ? { env: spec.env } : {}) });
      if (r.exitCode === -1) return { kind: 'timeout', stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
      return { kind: 'exited', exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
    },
    async which(file) {
      const r = await g.exec(['sh', '-c', `command -v ${file}`], { allowFailure: true });
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    },
  };
}
