import { callWithDeadline } from '../call.js';
import type { Outcome } from '../contracts/outcome.js';
import { ok, outcome } from '../contracts/outcome.js';
import type { RecoveryInput, RecoveryReport, RecoveryStrategy } from '../contracts/recovery-strategy.js';
import type { ResourceAgent, ResourceCallContext } from '../contracts/resource-agent.js';
import type { NodeInfo } from '../contracts/node-info.js';
import type { ReplicationTransport, TransportStartContext } from '../contracts/replication-transport.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import type { ActionResultData } from './actions.js';

type Step = 'start' | 'promote' | 'demote' | 'stop' | 'monitor';

function call(clock: Clock, r: Composed<ResourceAgent>, step: Step, epoch: number, fallbackMs: number, primary?: NodeInfo): Promise<Outcome> {
  const timeoutMs = r.timeoutMs ?? r.impl.defaultTimeoutsMs[step] ?? fallbackMs;
  return callWithDeadline<undefined, ResourceCallContext>(
    clock,
    timeoutMs,
    `${step} ${r.id}`,
    (ctx) => {
      const fn = r.impl[step] as ((c: ResourceCallContext) => Promise<Outcome>) | undefined;
      return fn === undefined ? Promise.resolve(ok(`${r.id} has no ${step}`)) : fn.call(r.impl, ctx);
    },
    primary === undefined ? { epoch } : { epoch, primary },
  );
}

/** Resources with roles run on replicas too (a standby database); the rest run on the primary only. */
function hasRoles(r: Composed<ResourceAgent>): boolean {
  return r.impl.promote !== undefined || r.impl.demote !== undefined;
}

/**
 * A replica's upkeep: start the resources that have roles, pointed at the
 * primary, then the transports that copy its log here. Stops at the first
 * failure (the cycle asks again after a pause).
 */
export async function followPrimary(
  clock: Clock,
  group: { readonly resources: readonly Composed<ResourceAgent>[]; readonly transports: readonly Composed<ReplicationTransport>[] },
  primary: NodeInfo,
  epoch: number,
  fallbackMs: number,
): Promise<Outcome<ActionResultData>> {
  const started: string[] = [];
  for (const r of group.resources.filter(hasRoles)) {
    const o = await call(clock, r, 'start', epoch, fallbackMs, primary);
    if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `start ${r.id} as a replica of ${primary.name}: ${o.code} (${o.reason})`);
    started.push(r.id);
  }
  for (const t of group.transports) {
    const o = await callWithDeadline<undefined, TransportStartContext>(clock, t.timeoutMs ?? t.impl.defaultTimeoutMs ?? fallbackMs, `start transport ${t.id}`, (ctx) => t.impl.start(ctx), { primary });
    if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `start transport ${t.id} from ${primary.name}: ${o.code} (${o.reason})`);
    started.push(t.id);
  }
  return ok(started.length === 0 ? `following ${primary.name} at epoch ${epoch}: nothing runs on replicas` : `following ${primary.name} at epoch ${epoch}: ${started.join(', ')}`);
}

/** `tandem rejoin --data` on this node: every resource that keeps data rewinds or re-copies it from the primary. */
export async function rejoinResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], primary: NodeInfo, epoch: number, timeoutMs: number): Promise<Outcome<ActionResultData>> {
  const done: string[] = [];
  for (const r of resources) {
    const rejoin = r.impl.rejoin;
    if (rejoin === undefined) continue;
    const o = await callWithDeadline<undefined, ResourceCallContext>(clock, timeoutMs, `rejoin ${r.id}`, (ctx) => rejoin.call(r.impl, ctx), { epoch, primary });
    if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `rejoin ${r.id} from ${primary.name}: ${o.code} (${o.reason})`);
    done.push(`${r.id}: ${o.reason}`);
  }
  return ok(done.length === 0 ? 'no resource keeps data to rejoin' : done.join('; '));
}

/** Stop every transport (a node about to be promoted must stop pulling from the old primary). */
export async function stopTransports(clock: Clock, transports: readonly Composed<ReplicationTransport>[], fallbackMs: number): Promise<Outcome<ActionResultData>> {
  for (const t of transports) {
    const o = await callWithDeadline(clock, t.timeoutMs ?? t.impl.defaultTimeoutMs ?? fallbackMs, `stop transport ${t.id}`, (ctx) => t.impl.stop(ctx));
    if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `stop transport ${t.id} before promotion: ${o.code} (${o.reason})`);
  }
  return ok(`stopped ${transports.length} transport(s)`);
}

/** Start then promote every resource in group order; stop at the first that fails. */
export async function promoteResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], epoch: number, fallbackMs: number): Promise<Outcome<ActionResultData>> {
  for (const r of resources) {
    for (const step of ['start', 'promote'] as const) {
      const o = await call(clock, r, step, epoch, fallbackMs);
      if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `${step} ${r.id} at epoch ${epoch}: ${o.code} (${o.reason})`);
    }
  }
  return ok(`promoted ${resources.length} resource(s) at epoch ${epoch}${resources.length > 0 ? `: ${resources.map((r) => r.id).join(', ')}` : ''}`);
}

/** Monitor every resource of the group; `failed` names each one that is not running. */
export async function monitorResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], epoch: number, fallbackMs: number): Promise<Outcome<ActionResultData>> {
  const outcomes = await Promise.all(resources.map(async (r) => ({ id: r.id, o: await call(clock, r, 'monitor', epoch, fallbackMs) })));
  const bad = outcomes.filter((x) => x.o.code !== 'ok').map((x) => `${x.id}: ${x.o.code} (${x.o.reason})`);
  return bad.length === 0 ? ok(`${resources.length} resource(s) running`) : outcome('failed', bad.join('; '));
}

/**
 * Stop writing: walk the group in reverse, demoting what has roles and
 * stopping what has not. Every resource is tried even when one fails, and
 * the action fails if any did (the caller retries: this is a safety path).
 */
export async function demoteResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], epoch: number, fallbackMs: number): Promise<Outcome<ActionResultData>> {
  const failures: string[] = [];
  for (const r of [...resources].reverse()) {
    const step: Step = r.impl.demote !== undefined ? 'demote' : 'stop';
    const o = await call(clock, r, step, epoch, fallbackMs);
    if (o.code !== 'ok') failures.push(`${step} ${r.id}: ${o.code} (${o.reason})`);
  }
  return failures.length === 0 ? ok(`demoted ${resources.length} resource(s)`) : outcome('failed', failures.join('; '));
}

/** Run every recovery strategy in config order; any failure fails the step (no partial ok). */
export async function runRecovery(
  clock: Clock,
  composition: { readonly recovery: readonly Composed<RecoveryStrategy>[] },
  input: RecoveryInput,
  fallbackMs: number,
): Promise<Outcome<ActionResultData>> {
  let compensated = 0;
  const summaries: string[] = [];
  for (const s of composition.recovery) {
    const o = await callWithDeadline<RecoveryReport>(clock, s.timeoutMs ?? s.impl.defaultTimeoutMs ?? fallbackMs, `recovery ${s.id}`, (ctx) => s.impl.execute(input, ctx));
    if (o.code !== 'ok') return outcome(o.code === 'timeout' ? 'timeout' : 'failed', `recovery ${s.id}: ${o.code} (${o.reason})`);
    compensated += o.data?.compensated ?? 0;
    summaries.push(o.data?.summary ?? o.reason);
  }
  return ok(summaries.length === 0 ? 'no recovery strategy configured; nothing to compensate' : summaries.join('; '), { compensated });
}
