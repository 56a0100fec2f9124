import type { Clock } from '../ports/clock.js';
import type { PrimaryRecord } from '../ports/coordination-store.js';
import { MemoryCoordinationStore } from '../store/memory-store.js';

/**
 * For tests of what a promotion does to resources, not of how the lease is
 * won: a memory store that, when a promotion is recorded, first gives the
 * promoting node the lease at that epoch (moving the counter on), as the
 * election before it would have.
 */
export class LeasedStore extends MemoryCoordinationStore {
  constructor(clock: Clock) {
    super({ clock });
  }

  override async recordPrimary(record: PrimaryRecord): Promise<boolean> {
    const held = await this.readLease();
    if (held === undefined || held.holder !== record.node || held.epoch !== record.epoch) {
      if (held !== undefined) await this.releaseLease(held.holder, held.epoch);
      while ((await this.lastEpoch()) < record.epoch - 1) {
        const r = await this.acquireLease('(earlier holder)', 60_000);
        if (r.acquired) await this.releaseLease('(earlier holder)', r.lease.epoch);
      }
      await this.acquireLease(record.node, 60_000);
    }
    return super.recordPrimary(record);
  }
}
