import { contextOf, decision, withHeartbeat, type DecideContext, type Decision } from './decide-context.js';
import { decideHolder } from './decide-holder.js';
import { decideReplica } from './decide-replica.js';
import { withBackoff } from './action-backoff.js';
import type { Snapshot } from './snapshot.js';

export type { Decision } from './decide-context.js';

/**
 * One HA cycle's decision. Pure: it reads the snapshot and `nowMs` and
 * nothing else, so the same function runs in the agent and in the
 * simulation. The branches run in a fixed order:
 *
 * 1. safety: a node that may be writing without a lease it can trust demotes
 *    at once, whatever else is going on (maintenance included: stopping
 *    writes is safety, not automation);
 * 2. a node holding the lease renews it, hands it back after a switchover,
 *    or continues its failover (fence, compensate, promote);
 * 3. a replica watches the primary (detect/confirm), or when the lease has
 *    lapsed checks its gateway and stands for election.
 * A heartbeat rides along whenever the lease lane is free and one is due.
 */
export function decide(snapshot: Snapshot, nowMs: number): Decision {
  const c = contextOf(snapshot, nowMs);
  // Failed actions back off (bounded, growing, with jitter): a full disk or a refusing store is not hammered every cycle.
  return withBackoff(snapshot.node, snapshot.local.streaks ?? {}, nowMs, withHeartbeat(c, safetyDemote(c) ?? decideHolder(c) ?? decideReplica(c)));
}

function safetyDemote(c: DecideContext): Decision | undefined {
  const l = c.s.local;
  if (!l.writing || (l.role === 'primary' && c.leaseValid)) return undefined;
  const epoch = l.lease?.epoch ?? 0;
  if (c.workBusy) return decision(`demote: waiting for the running action to finish before stopping writes at epoch ${epoch}`);
  const why = l.lastResults.length === 0 && l.lease === undefined ? 'agent started, making sure nothing writes' : c.leaseValid ? 'failover abandoned' : l.lease === undefined ? 'lease lost' : c.now >= l.lease.validUntilMs ? 'lease not renewed in time' : 'lease held by another node';
  return decision(`demote: ${c.s.node} stops writing at epoch ${epoch} (${why})`, [{ kind: 'demote', reason: why, epoch, timeoutMs: c.t.actionTimeoutMs }], 'demote');
}
