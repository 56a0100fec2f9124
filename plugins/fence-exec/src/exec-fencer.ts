import { ok, outcome, shellQuote, type CallContext, type CommandRunner, type FenceProof, type FenceRequest, type Fencer, type NodeInfo, type Outcome } from '@tandem/core';
import { expandArgv } from './expand-argv.js';
import type { Argv, ExecFencerOptions } from './exec-fencer-options.js';

type Ran = { readonly exitCode: number; readonly stdout: string; readonly stderr: string; readonly line: string } | { readonly outcome: Outcome<never> };

/** The last bit of a command's output, for a reason an operator can read. */
function tail(text: string, max = 200): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `...${t.slice(-max)}` : t;
}

/**
 * Fences with operator-supplied commands: `fence` acts, `status` verifies.
 * A fence is `ok` only once `status` has said "fenced" (exit 0) after the
 * action; a fence command that exits 0 but cannot be verified is `failed`.
 */
export class ExecFencer implements Fencer {
  readonly defaultTimeoutMs: number;
  readonly unfence?: (node: NodeInfo, epoch: number, ctx: CallContext) => Promise<Outcome>;

  constructor(
    private readonly options: ExecFencerOptions,
    private readonly runner: CommandRunner,
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs;
    const unfenceArgv = options.unfence;
    // Only a configured unfence command makes the method exist: the core asks `fencer.unfence` whether rejoin can unfence.
    if (unfenceArgv) this.unfence = (node, epoch, ctx) => this.runUnfence(unfenceArgv, node, epoch, ctx);
  }

  async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    const ran = await this.run('fence', this.options.fence, request.node, request.epoch, ctx);
    if ('outcome' in ran) return ran.outcome;
    if (ran.exitCode !== 0) return outcome('failed', `fence command \`${ran.line}\` exited ${ran.exitCode}: ${tail(ran.stderr || ran.stdout) || 'no output'}`);
    const verified = await this.statusAt(request.node, request.epoch, ctx);
    if (verified.code !== 'ok') {
      return outcome(verified.code === 'timeout' ? 'timeout' : 'failed', `fence command exited 0 but the status check could not confirm it: ${verified.reason}`);
    }
    if (!verified.data?.fenced) return outcome('failed', `fence command exited 0 but status still reports ${request.node.name} not fenced`);
    return ok(`${request.node.name} fenced at epoch ${request.epoch}`, { verified: verified.reason, epoch: request.epoch });
  }

  status(node: NodeInfo, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>> {
    // A plain status query verifies no particular epoch: {epoch} is 0.
    return this.statusAt(node, 0, ctx);
  }

  private async statusAt(node: NodeInfo, epoch: number, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>> {
    const ran = await this.run('status', this.options.status, node, epoch, ctx);
    if ('outcome' in ran) return ran.outcome;
    const said = tail(ran.stdout) || tail(ran.stderr) || 'no output';
    if (ran.exitCode === 0) return ok(`status command \`${ran.line}\` exited 0 (fenced): ${said}`, { fenced: true });
    if (ran.exitCode === 1) return ok(`status command \`${ran.line}\` exited 1 (not fenced): ${said}`, { fenced: false });
    return outcome('unknown', `status command \`${ran.line}\` exited ${ran.exitCode}, which means neither fenced (0) nor not fenced (1): ${said}`);
  }

  private async runUnfence(argv: Argv, node: NodeInfo, epoch: number, ctx: CallContext): Promise<Outcome> {
    const ran = await this.run('unfence', argv, node, epoch, ctx);
    if ('outcome' in ran) return ran.outcome;
    if (ran.exitCode !== 0) return outcome('failed', `unfence command \`${ran.line}\` exited ${ran.exitCode}: ${tail(ran.stderr || ran.stdout) || 'no output'}`);
    return ok(`${node.name} unfenced`);
  }

  private async run(which: 'fence' | 'status' | 'unfence', argv: Argv, node: NodeInfo, epoch: number, ctx: CallContext): Promise<Ran> {
    if (ctx.signal.aborted) return { outcome: outcome('timeout', `${which} of ${node.name}: abandoned before running the command`) };
    const expanded = expandArgv(argv, { node, epoch, addressNic: this.options.addressNic });
    if ('missing' in expanded) return { outcome: outcome('config-error', `${which} command for ${node.name}: ${expanded.missing}`) };
    const [file = '', ...args] = expanded.args;
    const line = shellQuote(expanded.args);
    const result = await this.runner.run({ file, args, timeoutMs: ctx.timeoutMs, signal: ctx.signal, env: this.options.env, readOnly: which === 'status' });
    switch (result.kind) {
      case 'exited':
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, line };
      case 'not-installed':
        return { outcome: outcome('not-installed', `${which} command: ${result.message}`) };
      case 'timeout':
        return { outcome: outcome('timeout', `${which} command \`${line}\` did not finish within ${ctx.timeoutMs} ms and was killed`) };
      case 'aborted':
        return { outcome: outcome('timeout', `${which} command \`${line}\` was stopped: the caller's deadline passed`) };
    }
  }
}
