import { callWithDeadline } from '../call.js';
import type { Outcome } from '../contracts/outcome.js';
import { ok, outcome } from '../contracts/outcome.js';
import type { RecoveryInput, RecoveryReport, RecoveryStrategy } from '../contracts/recovery-strategy.js';
import type { ResourceAgent, ResourceCallContext, ResourceState } from '../contracts/resource-agent.js';
import type { NodeInfo } from '../contracts/node-info.js';
import type { ReplicationTransport, TransportStartContext } from '../contracts/replication-transport.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import type { ActionResultData } from './actions.js';
import { describeGroupFailure, type GroupResultData, type GroupState, type ResourceReport, type StepFailure } from './group-state.js';

// The group's result types travel with the steps that produce them (ha/index re-exports this file).
export { describeGroupFailure, groupDataOf, type GroupResultData, type GroupState, type ResourceReport, type StepFailure } from './group-state.js';

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

/** Call one side hook on every transport that has it, in config order; the first failure ends the walk. */
async function eachSourceSide(
  clock: Clock,
  transports: readonly Composed<ReplicationTransport>[],
  hook: 'startSource' | 'stopSource',
  fallbackMs: number,
): Promise<{ readonly done: readonly { readonly id: string; readonly reason: string }[]; readonly failed?: { readonly id: string; readonly outcome: Outcome } }> {
  const done: { id: string; reason: string }[] = [];
  for (const t of transports) {
    const fn = t.impl[hook];
    if (fn === undefined) continue;
    const o = await callWithDeadline(clock, t.timeoutMs ?? t.impl.defaultTimeoutMs ?? fallbackMs, `${hook} of transport ${t.id}`, (ctx) => fn.call(t.impl, ctx));
    if (o.code !== 'ok') return { done, failed: { id: t.id, outcome: o } };
    done.push({ id: t.id, reason: o.reason });
  }
  return { done };
}

const failedCode = (o: Outcome): 'timeout' | 'failed' => (o.code === 'timeout' ? 'timeout' : 'failed');

/**
 * On the node being promoted, after `stopTransports` and before any resource:
 * the transports' primary side (`startSource`), in config order. The first
 * failure stops the promotion, so no resource starts without what its
 * writes depend on (a database without its mirrored pg_wal).
 */
export async function startSources(clock: Clock, transports: readonly Composed<ReplicationTransport>[], fallbackMs: number): Promise<Outcome<ActionResultData>> {
  const r = await eachSourceSide(clock, transports, 'startSource', fallbackMs);
  if (r.failed) return outcome(failedCode(r.failed.outcome), `start the primary side of transport ${r.failed.id}: ${r.failed.outcome.code} (${r.failed.outcome.reason}); the group was not started`);
  return ok(r.done.length === 0 ? 'no transport has a primary side' : r.done.map((d) => `${d.id}: ${d.reason}`).join('; '));
}

/**
 * After the resources were demoted: release the transports' primary side
 * (`stopSource`), so the node can become a sink. Runs after the resources,
 * because a database still writing its WAL keeps a mirrored pg_wal busy.
 */
export async function stopSources(clock: Clock, transports: readonly Composed<ReplicationTransport>[], fallbackMs: number): Promise<Outcome<ActionResultData>> {
  const r = await eachSourceSide(clock, transports, 'stopSource', fallbackMs);
  if (r.failed) return outcome(failedCode(r.failed.outcome), `release the primary side of transport ${r.failed.id} after demotion: ${r.failed.outcome.code} (${r.failed.outcome.reason})`);
  return ok(r.done.length === 0 ? 'no transport has a primary side' : `released the primary side of ${r.done.map((d) => d.id).join(', ')}`);
}

/**
 * Start then promote every resource in group order. On the first failure the
 * group is rolled back (see `rollBack`), so a failed switchover never leaves
 * it half-started without saying so: the outcome's data says which resources
 * are still started, and its reason what state the group is in.
 */
export async function promoteResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], epoch: number, fallbackMs: number): Promise<Outcome<GroupResultData>> {
  const startedOk = new Set<string>();
  for (const [i, r] of resources.entries()) {
    for (const step of ['start', 'promote'] as const) {
      const o = await call(clock, r, step, epoch, fallbackMs);
      if (o.code !== 'ok') return rollBack(clock, resources.slice(0, i + 1), startedOk, { id: r.id, step, code: o.code, reason: o.reason }, epoch, fallbackMs);
      startedOk.add(r.id);
    }
  }
  const ids = resources.map((r) => r.id);
  return ok(`promoted ${resources.length} resource(s) at epoch ${epoch}${ids.length > 0 ? `: ${ids.join(', ')}` : ''}`, { group: { state: 'promoted', started: ids } });
}

/**
 * Undo a failed switchover: walk the resources touched so far in reverse, the
 * failed one included (a half-done start is stopped, as Pacemaker stops a
 * resource whose start failed). A resource with roles that had started is
 * demoted (back to a replica, as `demoteResources` does); the others are
 * stopped. Every one is tried even when one fails. A failed rollback is
 * `failed` and its reason starts with NOT SAFE.
 */
async function rollBack(
  clock: Clock,
  touched: readonly Composed<ResourceAgent>[],
  startedOk: ReadonlySet<string>,
  failed: StepFailure,
  epoch: number,
  fallbackMs: number,
): Promise<Outcome<GroupResultData>> {
  const undone: string[] = [];
  const rollbackFailures: StepFailure[] = [];
  for (const r of [...touched].reverse()) {
    const step = r.impl.demote !== undefined && startedOk.has(r.id) ? 'demote' : 'stop';
    const o = await call(clock, r, step, epoch, fallbackMs);
    if (o.code === 'ok') undone.push(`${r.id} ${step === 'demote' ? 'demoted' : 'stopped'}`);
    else rollbackFailures.push({ id: r.id, step, code: o.code, reason: o.reason });
  }
  const stillUp = new Set(rollbackFailures.map((f) => f.id));
  const group: GroupState =
    rollbackFailures.length === 0
      ? { state: 'rolled-back', started: [], failed }
      : { state: 'half-started', started: touched.map((r) => r.id).filter((id) => stillUp.has(id)), failed, rollbackFailures };
  const code = group.state === 'half-started' ? 'failed' : failed.code === 'timeout' ? 'timeout' : 'failed';
  return outcome(code, describeGroupFailure(group, epoch, undone), { group });
}

/** Monitor every resource of the group; `failed` names each one that is not running. The data carries each answer's state (`degraded` among it). */
export async function monitorResources(clock: Clock, resources: readonly Composed<ResourceAgent>[], epoch: number, fallbackMs: number): Promise<Outcome<GroupResultData>> {
  const outcomes = await Promise.all(resources.map(async (r) => ({ id: r.id, o: await monitor(clock, r, epoch, fallbackMs) })));
  const reports: ResourceReport[] = outcomes.flatMap((x) => (x.o.code === 'ok' && x.o.data !== undefined ? [{ id: x.id, state: x.o.data }] : []));
  const bad = outcomes.filter((x) => x.o.code !== 'ok').map((x) => `${x.id}: ${x.o.code} (${x.o.reason})`);
  // Degraded is still ok (serving); it only adds words to the summary.
  const degraded = reports.filter((r) => r.state.degraded !== undefined).map((r) => `${r.id} degraded (${r.state.degraded})`);
  if (bad.length > 0) return outcome('failed', bad.join('; '), { resources: reports });
  return ok(`${resources.length} resource(s) running${degraded.length > 0 ? `; ${degraded.join('; ')}` : ''}`, { resources: reports });
}

function monitor(clock: Clock, r: Composed<ResourceAgent>, epoch: number, fallbackMs: number): Promise<Outcome<ResourceState>> {
  const timeoutMs = r.timeoutMs ?? r.impl.defaultTimeoutsMs.monitor ?? fallbackMs;
  return callWithDeadline<ResourceState, ResourceCallContext>(clock, timeoutMs, `monitor ${r.id}`, (ctx) => r.impl.monitor(ctx), { epoch });
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
