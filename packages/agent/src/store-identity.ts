import { randomUUID } from 'node:crypto';
import { StoreUnavailableError, TandemError, withDeadline, type Clock, type ClusterConfig, type ClusterIdentity, type CoordinationStore, type NodeMemory } from '@tandem/core';

/** A new identity for `cluster`, as `tandem init` and a bootstrapping agent write it. */
export function newIdentity(cluster: string, clock: Clock): ClusterIdentity {
  return { clusterId: randomUUID(), cluster, createdAtWallMs: clock.wallMs() };
}

/**
 * At agent start: is the store this cluster's? A store without an identity is
 * initialised only when the config says `bootstrap: true` and this node never
 * joined a store (its record names no cluster id): a node that joined and
 * finds an empty store is looking at one that lost its data. A foreign or
 * replaced store stops the agent with the reason and the fix. A store that
 * does not answer is left to the HA loop, which will not act on it.
 */
export async function checkStoreIdentity(store: CoordinationStore, config: ClusterConfig, memory: NodeMemory, clock: Clock): Promise<ClusterIdentity | undefined> {
  const read = await withDeadline(clock, config.timing.storeTimeoutMs, 'read cluster identity', () => store.readIdentity());
  if (!read.ok) {
    if (read.error === undefined || read.error instanceof StoreUnavailableError) return undefined;
    throw new TandemError('storeUnavailable', `cannot read the store's cluster identity: ${read.reason}`, { cause: read.error });
  }
  const known = memory.current().clusterId;
  let identity = read.value;
  if (identity === undefined) {
    if (!config.bootstrap || known !== undefined) throw emptyStore(config, known);
    identity = await initWithRetries(store, newIdentity(config.cluster, clock), clock);
  }
  if (identity.cluster !== config.cluster) {
    throw new TandemError('refused', `the store belongs to cluster "${identity.cluster}", not "${config.cluster}"`, {
      problems: [{ path: 'store', message: `holds cluster "${identity.cluster}" (id ${identity.clusterId})`, fix: 'give each cluster its own store, or its own store.keyPrefix (Redis)' }],
    });
  }
  if (known !== undefined && identity.clusterId !== known) {
    throw new TandemError('refused', `the store's cluster id ${identity.clusterId} is not the one this node joined (${known}): the store was replaced`, {
      problems: [{ path: 'store', message: 'replaced or re-initialised', fix: "restore the cluster's store; or, once this node's data is re-copied from the primary, move its record (node-<name>.json in the state directory) aside" }],
    });
  }
  if (known === undefined) await memory.update({ clusterId: identity.clusterId });
  return identity;
}

function emptyStore(config: ClusterConfig, known: string | undefined): TandemError {
  const why = known === undefined ? 'no cluster was initialised in it' : `this node joined cluster id ${known}, so the store lost its data (restarted without persistence, or its file was deleted)`;
  const fix = known === undefined ? 'run `tandem init -c <config>` once for a new cluster (or set bootstrap: true)' : "restore the store from its backup; `tandem init` only for a new cluster, after moving every node's record aside";
  return new TandemError('refused', `the store has no cluster identity: ${why}`, { problems: [{ path: 'store', message: 'has no cluster identity', fix }] });
}

/** Attempts at writing the identity (a Redis write can miss its replica acknowledgement right after start). */
const INIT_ATTEMPTS_MAX = 5;

/** Write it, retrying an unacknowledged or unanswered write with a growing pause; the same identity each time, so a write that did land is found again. */
async function initWithRetries(store: CoordinationStore, identity: ClusterIdentity, clock: Clock): Promise<ClusterIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.initIdentity(identity);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt >= INIT_ATTEMPTS_MAX) {
        throw new TandemError('storeUnavailable', `cannot write the cluster identity (bootstrap: true) after ${attempt} attempt(s): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await clock.sleep(500 * attempt);
    }
  }
}
