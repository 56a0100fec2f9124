import { allNodeInfos, callWithDeadline, TandemError, type Composition, type Lease, type ResourceCallContext } from '@tandem/core';
import type { ClusterContext } from './cluster-context.js';

export interface DataRejoin {
  readonly resource: string;
  readonly code: string;
  readonly reason: string;
}

/**
 * The data half of a rejoin, on the node being rejoined: every resource that
 * can (a database) rewinds or re-copies itself from the current primary and
 * streams from it again. Fails on the first resource that cannot, naming it.
 */
export async function rejoinData(cluster: ClusterContext, local: Composition, lease: Lease | undefined, timeoutMs: number): Promise<DataRejoin[]> {
  if (lease === undefined) throw new TandemError('preconditionFailed', 'no node holds the primary lease: there is nothing to rejoin to', { problems: [{ path: 'lease', message: 'none', fix: 'wait for a primary (tandem status), then run rejoin again' }] });
  const primary = allNodeInfos(cluster.config).find((n) => n.name === lease.holder);
  if (primary === undefined) throw new TandemError('failed', `the lease holder ${lease.holder} is not in the config`);
  const done: DataRejoin[] = [];
  for (const r of local.resources) {
    const rejoin = r.impl.rejoin;
    if (rejoin === undefined) continue;
    const o = await callWithDeadline<undefined, ResourceCallContext>(cluster.clock, timeoutMs, `rejoin ${r.id}`, (ctx) => rejoin.call(r.impl, ctx), { epoch: lease.epoch, primary });
    done.push({ resource: r.id, code: o.code, reason: o.reason });
    if (o.code !== 'ok') {
      throw new TandemError(o.code === 'timeout' ? 'timeout' : 'failed', `rejoin of ${r.id} on ${local.node.name} failed: ${o.reason}`, {
        problems: [{ path: `resources.${r.id}`, message: o.reason, fix: 'fix the cause shown, then run `tandem rejoin --data` again; the old data is never deleted' }],
      });
    }
  }
  return done;
}
