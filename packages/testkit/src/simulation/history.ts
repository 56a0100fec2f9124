/**
 * What the simulated world saw happen, in order. Only simulated components
 * (resources, fencers, store, gateway, fault injector) write here, never the
 * code under test; the checkers read nothing else.
 */
/** A run of log positions `from..to` (inclusive) written at `epoch` by `by`: a log is a list of them, oldest first. */
export type Segment = readonly [epoch: number, by: string, from: number, to: number];

/** What a node's database was doing when it fenced a peer, for the eligibility invariant. */
export interface FencerFacts {
  /** Its database: running as primary or replica, or stopped. */
  readonly db: 'primary' | 'replica' | 'stopped';
  /** It is the last node promoted (store record or promotion, whichever is newer). */
  readonly lastPrimary: boolean;
  /** Its log has an entry the last primary's log lacks (a former primary that was never rejoined). */
  readonly diverged: boolean;
  /** No node was ever promoted (no record, no database promotion): no write was ever acknowledged. */
  readonly noPromotionYet: boolean;
}

export type HistoryEntry =
  | { readonly kind: 'write'; readonly node: string; readonly epoch: number; readonly accepted: boolean }
  /** A write the application got a commit for: with zero loss, only once a replica's mirror holds it. */
  | { readonly kind: 'ack'; readonly node: string; readonly epoch: number; readonly pos: number }
  /** `log`: the promoted database's log as it is promoted (after any compensation). */
  | { readonly kind: 'promote'; readonly node: string; readonly epoch: number; readonly log: readonly Segment[] }
  | { readonly kind: 'record-primary'; readonly node: string; readonly epoch: number }
  | { readonly kind: 'follow-refused'; readonly node: string; readonly primary: string }
  | { readonly kind: 'rejoin'; readonly node: string; readonly primary: string }
  | { readonly kind: 'recovery-refused'; readonly node: string; readonly reason: string }
  /** A node's data at one moment (after the last heal): its log and what its WAL mirror holds beyond it. */
  | { readonly kind: 'data'; readonly node: string; readonly log: readonly Segment[]; readonly mirror: readonly Segment[] }
  | { readonly kind: 'promote-refused'; readonly node: string; readonly epoch: number; readonly fencedAt: number }
  | { readonly kind: 'demote'; readonly node: string }
  | { readonly kind: 'fence'; readonly by: string; readonly target: string; readonly epoch: number; readonly facts: FencerFacts }
  | { readonly kind: 'gateway-reply'; readonly node: string }
  | { readonly kind: 'lease-grant'; readonly node: string; readonly epoch: number }
  /** `agentOnly`: only the agent process died; the host and its database run on. */
  | { readonly kind: 'crash'; readonly node: string; readonly agentOnly?: boolean }
  | { readonly kind: 'restart'; readonly node: string }
  | { readonly kind: 'freeze'; readonly node: string }
  | { readonly kind: 'resume'; readonly node: string }
  | { readonly kind: 'fault'; readonly description: string }
  | { readonly kind: 'heal'; readonly description: string }
  | { readonly kind: 'sample'; readonly leaseHolder: string | undefined; readonly leaseEpoch: number | undefined };

export type Timed = HistoryEntry & { readonly atMs: number };

export class History {
  readonly entries: Timed[] = [];

  constructor(private readonly now: () => number) {}

  add(entry: HistoryEntry): void {
    this.entries.push({ ...entry, atMs: this.now() });
  }
}

export function formatEntry(e: Timed): string {
  const { atMs, kind, ...rest } = e;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${String(atMs).padStart(6)} ms  ${kind}${fields === '' ? '' : ` ${fields}`}`;
}
