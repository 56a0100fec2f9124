import { TandemError, type CoordinationStore, type Lease } from '@tandem/core';
import { pollUntil } from './poll.js';

/**
 * Poll the store until a node other than `from` (or exactly `to`) holds the
 * lease at an epoch above `afterEpoch`. Bounded by `timeoutMs`: on expiry it
 * throws TandemError('timeout') saying what the store shows now.
 */
export async function awaitNewPrimary(
  store: CoordinationStore,
  want: { readonly from: string | undefined; readonly to: string | undefined; readonly afterEpoch: number; readonly timeoutMs: number },
): Promise<{ lease: Lease; waitedMs: number }> {
  const started = performance.now();
  let last: Lease | undefined;
  const lease = await pollUntil('a new primary', want.timeoutMs, 200, async () => {
    last = await store.readLease();
    const moved = last !== undefined && last.epoch > want.afterEpoch && last.holder !== want.from && (want.to === undefined || last.holder === want.to);
    return moved ? last : undefined;
  }, () => ({ path: 'lease', message: last ? `${last.holder} holds epoch ${last.epoch}` : 'no node holds the lease', fix: 'see `tandem events` for what the agents did' }));
  return { lease, waitedMs: Math.round(performance.now() - started) };
}

export function requireMember(nodes: readonly string[], node: string, flag: string): void {
  if (!nodes.includes(node)) {
    throw new TandemError('usage', `${node} is not a node of this cluster`, { problems: [{ path: flag, message: `known nodes: ${nodes.join(', ')}`, fix: 'pass one of them' }] });
  }
}
