/**
 * What the simulated world saw happen, in order. Only simulated components
 * (resources, fencers, store, gateway, fault injector) write here, never the
 * code under test; the checkers read nothing else.
 */
export type HistoryEntry =
  | { readonly kind: 'write'; readonly node: string; readonly epoch: number; readonly accepted: boolean }
  | { readonly kind: 'promote'; readonly node: string; readonly epoch: number }
  | { readonly kind: 'promote-refused'; readonly node: string; readonly epoch: number; readonly fencedAt: number }
  | { readonly kind: 'demote'; readonly node: string }
  | { readonly kind: 'fence'; readonly by: string; readonly target: string; readonly epoch: number }
  | { readonly kind: 'gateway-reply'; readonly node: string }
  | { readonly kind: 'lease-grant'; readonly node: string; readonly epoch: number }
  | { readonly kind: 'crash'; readonly node: string }
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
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${String(atMs).padStart(6)} ms  ${kind}${fields === '' ? '' : ` ${fields}`}`;
}
