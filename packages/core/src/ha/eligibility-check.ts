import { callWithDeadline } from '../call.js';
import { ok, outcome, type Outcome } from '../contracts/outcome.js';
import type { PromotionReadiness, ResourceAgent, ResourceCallContext } from '../contracts/resource-agent.js';
import type { InFlight, ReplicationTransport } from '../contracts/replication-transport.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';
import type { ActionResultData } from './actions.js';

/**
 * Could this node finish a promotion now? Every resource that has `readiness`
 * must answer `ok` (or `not-running`, when `acceptStopped`), and every
 * transport's `inFlight` must be readable (or its `readiness` `ok`, for a
 * transport read only after a takeover): a candidate that cannot read what
 * its mirror holds cannot compensate, so it must not take the lease and
 * fence the node that has the data. All calls run side by side, each under
 * its own deadline; the answer names every one that said no.
 */
export async function checkEligibility(
  clock: Clock,
  group: { readonly resources: readonly Composed<ResourceAgent>[]; readonly transports: readonly Composed<ReplicationTransport>[] },
  acceptStopped: boolean,
  fallbackMs: number,
): Promise<Outcome<ActionResultData>> {
  const resources = group.resources.flatMap((r) => {
    const readiness = r.impl.readiness;
    if (readiness === undefined) return [];
    const timeoutMs = r.timeoutMs ?? r.impl.defaultTimeoutsMs.monitor ?? fallbackMs;
    return [callWithDeadline<PromotionReadiness, ResourceCallContext>(clock, timeoutMs, `readiness of ${r.id}`, (ctx) => readiness.call(r.impl, ctx), { epoch: 0 }).then((o) => ({ id: r.id, o }))];
  });
  // A transport that can only be read after a takeover says whether that takeover could run here instead.
  const transports = group.transports.map((t) => {
    const timeoutMs = t.timeoutMs ?? t.impl.defaultTimeoutMs ?? fallbackMs;
    const readiness = t.impl.readiness;
    const read =
      readiness === undefined
        ? callWithDeadline<InFlight>(clock, timeoutMs, `in-flight range of transport ${t.id}`, (ctx) => t.impl.inFlight(ctx))
        : callWithDeadline(clock, timeoutMs, `readiness of transport ${t.id}`, (ctx) => readiness.call(t.impl, ctx));
    return read.then((o) => ({ id: t.id, o: o as Outcome<unknown> }));
  });
  const answers = await Promise.all(resources);
  const reads = await Promise.all(transports);
  const refused = [
    ...answers.filter((a) => !(a.o.code === 'ok' || (acceptStopped && a.o.code === 'not-running'))).map((a) => `${a.id}: ${a.o.code} (${a.o.reason})`),
    ...reads.filter((t) => t.o.code !== 'ok').map((t) => `transport ${t.id} unreadable: ${t.o.code} (${t.o.reason})`),
  ];
  const positions = answers.flatMap((a) => (a.o.code === 'ok' && a.o.data?.position !== undefined ? [a.o.data.position] : []));
  const best = positions.reduce<(typeof positions)[number] | undefined>((b, p) => (b === undefined || p.offset > b.offset ? p : b), undefined);
  if (refused.length > 0) {
    // A missing binary or a broken config will not fix itself: say so, so the operator knows a retry is not coming.
    const lasting = [...answers, ...reads].some((a) => a.o.code === 'not-installed' || a.o.code === 'config-error');
    return outcome(lasting ? 'config-error' : 'failed', `cannot finish a promotion here: ${refused.join('; ')}`);
  }
  const what = answers.length + reads.length === 0 ? 'nothing to check' : `${answers.map((a) => `${a.id} ${a.o.code === 'ok' ? 'ready' : 'stopped'}`).concat(reads.map((t) => `${t.id} readable`)).join(', ')}`;
  const primary = answers.some((a) => a.o.code === 'ok' && a.o.data?.servesAsPrimary === true);
  const data = { ...(best === undefined ? {} : { position: best.offset }), ...(primary ? { servesAsPrimary: true } : {}) };
  return ok(`could take over: ${what}${best === undefined ? '' : ` (at ${best.label})`}${primary ? ', serving as primary' : ''}`, data);
}
