import type { ClusterIdentity, ClusterSettings, CoordinationStore, Lease, LeaseResult, Member, MemberRecord, NewEvent, PrimaryRecord, StoredEvent } from '@tandem/core';
import type { SimProcess } from './sim-process.js';
import type { SimWorld } from './world.js';

/** One agent's connection to the shared store: every call crosses the simulated network and suffers the store's outages. */
export class SimStoreClient implements CoordinationStore {
  constructor(
    private readonly world: SimWorld,
    private readonly process: SimProcess,
  ) {}

  private call<T>(what: Parameters<SimWorld['serveStore']>[0], fn: Parameters<SimWorld['serveStore']>[1]): Promise<T> {
    return this.world.network.request(this.process, 'store', () => this.world.serveStore(what, fn)) as Promise<T>;
  }

  acquireLease(node: string, ttlMs: number, token?: string): Promise<LeaseResult> {
    return this.call('acquire', async (s) => {
      const r = await s.acquireLease(node, ttlMs, token);
      if (r.acquired) this.world.noteGrant(node, r.lease.epoch);
      return r;
    });
  }
  renewLease(node: string, epoch: number, ttlMs: number, token?: string): Promise<LeaseResult> {
    return this.call('renew', (s) => s.renewLease(node, epoch, ttlMs, token));
  }
  releaseLease(node: string, epoch: number, token?: string): Promise<boolean> {
    return this.call('release', (s) => s.releaseLease(node, epoch, token));
  }
  readLease(): Promise<Lease | undefined> {
    return this.call('read', (s) => s.readLease());
  }
  lastEpoch(): Promise<number> {
    return this.call('read', (s) => s.lastEpoch());
  }
  readIdentity(): Promise<ClusterIdentity | undefined> {
    return this.call('read', (s) => s.readIdentity());
  }
  initIdentity(identity: ClusterIdentity): Promise<ClusterIdentity> {
    return this.call('write', (s) => s.initIdentity(identity));
  }
  recordPrimary(record: PrimaryRecord): Promise<boolean> {
    return this.call('write', async (s) => {
      const done = await s.recordPrimary(record);
      if (done) this.world.noteRecordPrimary(record.node, record.epoch);
      return done;
    });
  }
  markSoleCopy(node: string, epoch: number, soleCopy: boolean): Promise<boolean> {
    return this.call('write', (s) => s.markSoleCopy(node, epoch, soleCopy));
  }
  lastPrimary(): Promise<PrimaryRecord | undefined> {
    return this.call('read', (s) => s.lastPrimary());
  }
  heartbeat(record: MemberRecord, ttlMs: number): Promise<void> {
    return this.call('write', (s) => s.heartbeat(record, ttlMs));
  }
  members(): Promise<readonly Member[]> {
    return this.call('read', (s) => s.members());
  }
  readSettings(): Promise<ClusterSettings> {
    return this.call('read', (s) => s.readSettings());
  }
  updateSettings(patch: Partial<ClusterSettings>): Promise<ClusterSettings> {
    return this.call('write', (s) => s.updateSettings(patch));
  }
  completeRequest(id: string): Promise<boolean> {
    return this.call('write', (s) => s.completeRequest(id));
  }
  appendEvent(event: NewEvent): Promise<StoredEvent> {
    return this.call('write', (s) => s.appendEvent(event));
  }
  readEvents(options?: { readonly after?: string; readonly limit?: number }): Promise<readonly StoredEvent[]> {
    return this.call('read', (s) => s.readEvents(options));
  }
  async close(): Promise<void> {
    // The shared store outlives any one agent.
  }
}
