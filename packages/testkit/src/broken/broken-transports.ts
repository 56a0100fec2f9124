import { ok, outcome, type CallContext, type InFlight, type Outcome } from '@tandem/core';
import { MemoryReplicationTransport } from '../fakes/memory-replication-transport.js';

/** Fails `stop` on a stopped transport. */
export class StopTwiceFailsTransport extends MemoryReplicationTransport {
  override async stop(ctx: CallContext): Promise<Outcome> {
    if (!this.running) return outcome('failed', 'not running');
    return super.stop(ctx);
  }
}

/** Reports an in-flight range that runs backwards. */
export class BackwardsInFlightTransport extends MemoryReplicationTransport {
  override async inFlight(ctx: CallContext): Promise<Outcome<InFlight>> {
    const o = await super.inFlight(ctx);
    if (o.code !== 'ok' || !o.data) return o;
    return ok(o.reason, { ...o.data, from: o.data.to, to: o.data.from });
  }
}
