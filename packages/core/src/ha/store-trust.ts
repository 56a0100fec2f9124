import type { ClusterIdentity } from '../ports/coordination-store.js';
import type { NodeRecord } from '../ports/node-memory.js';
import type { StoreView } from './snapshot.js';

/** What this node expects of its store: its cluster's name, and what it remembers on its own disk. */
export interface StoreExpectation {
  readonly cluster: string;
  readonly memory: NodeRecord;
}

/**
 * Whether a store that answered is this cluster's store, unchanged: it has an
 * identity (an empty one was restarted without persistence, or its file was
 * deleted), the identity is this cluster's (not another cluster's keys under
 * the same prefix) and the one this node joined (not a replaced store), and
 * its epochs have not gone below what this node has seen. A store that fails
 * is treated as unreachable, with the reason: no election, no fencing, and a
 * primary that cannot renew demotes.
 */
export function distrust(view: StoreView, identity: ClusterIdentity | undefined, expect: StoreExpectation): string | undefined {
  if (!view.reachable) return undefined;
  if (identity === undefined) {
    return `the store has no cluster identity (restarted empty, its file deleted, or never initialised): run \`tandem init\` for a new cluster, or restore the store`;
  }
  if (identity.cluster !== expect.cluster) {
    return `the store belongs to cluster "${identity.cluster}", not "${expect.cluster}": give each cluster its own store or key prefix`;
  }
  const known = expect.memory.clusterId;
  if (known !== undefined && identity.clusterId !== known) {
    return `the store's cluster id ${identity.clusterId} is not the one this node joined (${known}): the store was replaced; restore it, or move this node's record aside once its data is re-copied`;
  }
  // With a lease shown the store reads no last epoch; either way the number it shows must not be below what was seen.
  const shown = view.lease?.epoch ?? view.lastEpoch ?? 0;
  const seen = expect.memory.highestEpoch;
  if (shown < seen) {
    return `the store's epoch went back to ${shown} although this node saw epoch ${seen}: the store lost writes (restarted empty, failed over to a stale replica); its leases cannot fence anyone`;
  }
  return undefined;
}
