import { ok, outcome, type CallContext, type InFlight, type Outcome, type ReplicationTransport, type StreamPosition, type TransportStatus } from '@tandem/core';
import { abortedOutcome, untilAborted } from './abort-helpers.js';

const position = (offset: number): StreamPosition => ({ offset, label: `mem/${offset}` });

/** A correct in-memory ReplicationTransport acting as a sink that holds `flushed - applied` units in flight. */
export class MemoryReplicationTransport implements ReplicationTransport {
  readonly defaultTimeoutMs = 1000;
  running = false;
  flushed = 120;
  applied = 100;
  inProgress = 0;

  constructor(protected readonly options: { readonly slowStart?: boolean } = {}) {}

  async start(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'start');
    if (this.options.slowStart && !this.running) {
      this.inProgress++;
      await untilAborted(ctx.signal);
      this.inProgress--;
      return abortedOutcome(ctx.signal, 'start');
    }
    this.running = true;
    return ok('streaming');
  }

  async stop(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'stop');
    this.running = false;
    return ok('stopped');
  }

  async status(ctx: CallContext): Promise<Outcome<TransportStatus>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'status');
    if (!this.running) return outcome('not-running', 'transport stopped');
    return ok('sink', { role: 'sink', flushed: position(this.flushed), applied: position(this.applied), lag: this.flushed - this.applied });
  }

  async inFlight(ctx: CallContext): Promise<Outcome<InFlight>> {
    if (ctx.signal.aborted) return abortedOutcome(ctx.signal, 'inFlight');
    return ok(`${this.flushed - this.applied} units in flight`, { from: position(this.applied), to: position(this.flushed), location: 'memory' });
  }
}
