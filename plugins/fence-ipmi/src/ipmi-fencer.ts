import { inject, injectable } from 'inversify';
import {
  Clock,
  CommandRunner,
  PluginOptions,
  ok,
  outcome,
  type CallContext,
  type FenceProof,
  type FenceRequest,
  type Fencer,
  type NodeInfo,
  type Outcome,
} from '@tandem/core';
import { classifyRun, parsePowerStatus, type PowerState } from './classify-ipmitool.js';
import { ipmitoolSpec, type BmcTarget, type PowerVerb } from './ipmitool-command.js';
import type { IpmiFenceOptions } from './options.js';

/** The proof text: what a fence that returned ok has read back from the BMC. */
export const VERIFIED_OFF = 'chassis power status: off';

/** A monotonic deadline on the injected clock. */
interface Deadline {
  remainingMs(): number;
}

/**
 * Power fencing through a node's BMC with real `ipmitool -I lanplus`.
 *
 * `fence` reads the power state, sends `chassis power off` unless it is
 * already off, and returns ok only once `chassis power status` reads off.
 * IPMI has nowhere to store the fencing epoch: the proof carries the
 * request's epoch, and safety rests on power off being absorbing (nothing
 * turns the node back on except an operator's `unfence`). With `action:
 * cycle` the node is powered on again after off was verified.
 */
@injectable()
export class IpmiFencer implements Fencer {
  readonly defaultTimeoutMs = 20_000;

  constructor(
    @inject(CommandRunner) private readonly runner: CommandRunner,
    @inject(Clock) private readonly clock: Clock,
    @inject(PluginOptions) private readonly options: IpmiFenceOptions,
  ) {}

  async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    const setup = this.begin(request.node, ctx);
    if ('code' in setup) return setup;
    const { target, deadline } = setup;
    const proof: FenceProof = { verified: VERIFIED_OFF, epoch: request.epoch };
    const before = await this.readPower(target, deadline, ctx);
    if (before.code !== 'ok') return failure(before);
    if (before.data === 'off') return ok(`${describe(target)}: power was already off (epoch ${request.epoch})`, proof);

    const sent = await this.power(target, 'off', deadline, ctx);
    if (sent.code !== 'ok') return failure(sent);
    const verified = await this.waitFor(target, 'off', deadline, ctx);
    if (verified.code !== 'ok') return failure(verified);
    if (this.options.action === 'off') return ok(`${describe(target)}: powered off, status reads off (epoch ${request.epoch})`, proof);

    // The node is already proven off; a failed power on leaves it fenced, which is safe, so the fence stands.
    const on = await this.power(target, 'on', deadline, ctx);
    const after = on.code === 'ok' ? 'then powered on again' : `power on afterwards failed: ${on.reason}`;
    return ok(`${describe(target)}: powered off, status read off, ${after} (epoch ${request.epoch})`, proof);
  }

  async status(node: NodeInfo, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>> {
    const setup = this.begin(node, ctx);
    if ('code' in setup) return setup;
    const power = await this.readPower(setup.target, setup.deadline, ctx);
    if (power.code !== 'ok') return failure(power);
    return ok(`${describe(setup.target)}: chassis power is ${power.data}`, { fenced: power.data === 'off' });
  }

  async unfence(node: NodeInfo, epoch: number, ctx: CallContext): Promise<Outcome> {
    const setup = this.begin(node, ctx);
    if ('code' in setup) return setup;
    const { target, deadline } = setup;
    const before = await this.readPower(target, deadline, ctx);
    if (before.code !== 'ok') return failure(before);
    if (before.data === 'on') return ok(`${describe(target)}: power was already on (epoch ${epoch})`);
    const sent = await this.power(target, 'on', deadline, ctx);
    if (sent.code !== 'ok') return failure(sent);
    const verified = await this.waitFor(target, 'on', deadline, ctx);
    if (verified.code !== 'ok') return failure(verified);
    return ok(`${describe(target)}: powered on, status reads on (epoch ${epoch})`);
  }

  /** Common start of every call: honour an aborted signal, find the BMC, reveal the password, start the deadline. */
  private begin(node: NodeInfo, ctx: CallContext): { target: BmcTarget; deadline: Deadline } | Outcome<never> {
    if (ctx.signal.aborted) return outcome('timeout', `fence-ipmi ${node.name}: the caller gave up before the call started`);
    const host = this.options.host ?? node.management;
    if (host === undefined) {
      return outcome('config-error', `fence-ipmi: node ${node.name} has no management address and the instance sets no host; add nodes.${node.name}.management or options.host`);
    }
    let password: string;
    try {
      password = this.options.password.reveal();
    } catch (error) {
      return outcome('config-error', `fence-ipmi: the password secret ${this.options.password.describe()} could not be read (${(error as Error).message})`);
    }
    const endsAtMs = this.clock.monotonicMs() + ctx.timeoutMs;
    return { target: { host, options: this.options, password }, deadline: { remainingMs: () => endsAtMs - this.clock.monotonicMs() } };
  }

  private async power(target: BmcTarget, verb: PowerVerb, deadline: Deadline, ctx: CallContext): Promise<Outcome<string>> {
    const what = `ipmitool chassis power ${verb} at ${describe(target)}`;
    const remainingMs = Math.floor(deadline.remainingMs());
    if (ctx.signal.aborted || remainingMs <= 0) return outcome('timeout', `${what}: no time left before the deadline`);
    return classifyRun(await this.runner.run(ipmitoolSpec(target, verb, remainingMs, ctx.signal)), what);
  }

  private async readPower(target: BmcTarget, deadline: Deadline, ctx: CallContext): Promise<Outcome<PowerState>> {
    const run = await this.power(target, 'status', deadline, ctx);
    if (run.code !== 'ok') return failure(run);
    const state = parsePowerStatus(run.data ?? '');
    if (state === undefined) return outcome('unknown', `${describe(target)}: cannot read the power state from ${JSON.stringify((run.data ?? '').slice(0, 200))}`);
    return ok(`${describe(target)}: chassis power is ${state}`, state);
  }

  /** Poll `chassis power status` until it reads `want`, for at most verifyTimeoutMs and never past the deadline. */
  private async waitFor(target: BmcTarget, want: PowerState, deadline: Deadline, ctx: CallContext): Promise<Outcome> {
    const giveUpAtMs = this.clock.monotonicMs() + this.options.verifyTimeoutMs;
    let last: Outcome<PowerState> | undefined;
    for (;;) {
      last = await this.readPower(target, deadline, ctx);
      if (last.code === 'ok' && last.data === want) return ok(last.reason);
      if (last.code === 'config-error' || last.code === 'not-installed') return failure(last);
      const pauseMs = Math.min(this.options.pollIntervalMs, deadline.remainingMs(), giveUpAtMs - this.clock.monotonicMs());
      if (ctx.signal.aborted || pauseMs <= 0) break;
      try {
        await this.clock.sleep(pauseMs, ctx.signal);
      } catch {
        break;
      }
    }
    const seen = last.code === 'ok' ? `it still reads ${last.data}` : `last read: ${last.reason}`;
    const code = ctx.signal.aborted || deadline.remainingMs() <= 0 ? 'timeout' : 'failed';
    return outcome(code, `${describe(target)}: chassis power status did not read ${want} in time; ${seen}`);
  }
}

function describe(target: BmcTarget): string {
  return `BMC ${target.host}:${target.options.port}`;
}

/** Re-type a non-ok outcome (its data is never read). */
function failure<D>(o: Outcome<unknown>): Outcome<D> {
  return { code: o.code, reason: o.reason };
}
