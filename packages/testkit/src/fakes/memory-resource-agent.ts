import { ok, outcome, type Outcome, type ResourceAgent, type ResourceCallContext, type ResourceRole, type ResourceState } from '@tandem/core';
import { abortedOutcome, untilAborted } from './abort-helpers.js';

export interface MemoryResourceAgentOptions {
  /** `start` hangs until the caller aborts, like a service that never becomes ready. */
  readonly slowStart?: boolean;
}

/**
 * A correct in-memory ResourceAgent with roles: the reference the testkit's
 * own tests run the suite against, and the base of the broken variants.
 */
export class MemoryResourceAgent implements ResourceAgent {
  readonly defaultTimeoutsMs = { start: 1000, stop: 1000, monitor: 500, promote: 1000, demote: 1000 };
  running = false;
  role: ResourceRole = 'none';
  /** Calls still working; a correct agent has none once every call returned. */
  inProgress = 0;

  constructor(protected readonly options: MemoryResourceAgentOptions = {}) {}

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'start');
    if (this.running) return ok('already running');
    if (this.options.slowStart) {
      this.inProgress++;
      await untilAborted(ctx.signal);
      this.inProgress--;
      return abortedOutcome(ctx.signal, 'start');
    }
    this.running = true;
    this.role = 'replica';
    return ok('started');
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'stop');
    if (!this.running) return ok('already stopped');
    this.running = false;
    this.role = 'none';
    return ok('stopped');
  }

  async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'monitor');
    return this.running ? ok('running', { role: this.role }) : outcome('not-running', 'cleanly stopped');
  }

  async promote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.setRole(ctx, 'primary');
  }

  async demote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.setRole(ctx, 'replica');
  }

  private async setRole(ctx: ResourceCallContext, role: ResourceRole): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, role === 'primary' ? 'promote' : 'demote');
    if (!this.running) return outcome('failed', 'not running');
    this.role = role;
    return ok(`now ${role}`);
  }
}
