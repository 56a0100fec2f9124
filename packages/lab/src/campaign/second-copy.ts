import { redis, type WatchTarget } from './watch-restore.js';

const POLL_MS = 500;

/**
 * Wait until the store records a primary whose acknowledged writes have a
 * second copy (its `sole_copy` mark cleared). Until then a standby rightly
 * refuses to take over (resource-postgres `afterPromote: accept-writes`):
 * a fault that hits the primary in that window is an outage by design, not
 * the failover a test or campaign means to exercise. Throws on timeout with
 * what the store said last; a cluster without a Redis store (or the
 * baseline) has no mark and returns at once.
 */
export async function waitForSecondCopy(target: WatchTarget, timeoutMs: number): Promise<void> {
  const store = target.store;
  if (!target.agents || store === undefined) return;
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing read yet';
  while (Date.now() < deadline) {
    try {
      const [node, epoch, soleCopy] = await redis(target, store, ['HMGET', `${store.keyPrefix}primary`, 'node', 'epoch', 'sole_copy']);
      if (node !== undefined && node !== '' && soleCopy === '0') return;
      last = node ? `${node}, primary since epoch ${epoch ?? '?'}, is still recorded as the sole copy` : 'no promotion recorded yet';
    } catch (error) {
      last = `the store did not answer: ${(error as Error).message.split('\n')[0]}`;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the primary's writes got no second copy within ${timeoutMs} ms: ${last}`);
}
