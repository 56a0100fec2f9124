import type { Segment, Timed } from './history.js';

/**
 * Invariant checkers. They read only the recorded history (what resources,
 * fencers, the store and the gateway saw), never the agents' own beliefs,
 * and they share no code with the HA cycle they judge.
 */
export type Invariant =
  | 'single-writer'
  | 'stale-write'
  | 'promote-without-fence'
  | 'promote-without-gateway'
  | 'lost-acknowledged-write'
  | 'fence-while-ineligible'
  | 'liveness'
  | 'repeated-fence';

export interface Violation {
  readonly invariant: Invariant;
  readonly atMs: number;
  readonly message: string;
}

export interface CheckRules {
  /** A promotion at epoch E needs a gateway reply to the promoting node no earlier than this long before E was granted. */
  readonly gatewayWindowMs: number;
  /** The config promises zero loss: a promoted database must hold every write acknowledged before it. */
  readonly zeroLoss: boolean;
}

interface Ack {
  readonly node: string;
  readonly epoch: number;
  readonly pos: number;
}

/** Whether a log (as segments) holds the acknowledged write. */
function holds(log: readonly Segment[], a: Ack): boolean {
  return log.some(([epoch, by, from, to]) => epoch === a.epoch && by === a.node && a.pos >= from && a.pos <= to);
}

function describeAck(a: Ack): string {
  return `${a.node}@${a.epoch}#${a.pos}`;
}

interface NodeView {
  writing: boolean;
  epoch: number;
  fencedAt: number;
  /** Epoch of the node's last promotion, and whether it cleanly demoted since. */
  promotedAt: number;
  cleanlyDemoted: boolean;
}

/** Replays the history once and reports every safety violation. */
export function checkSafety(history: readonly Timed[], rules: CheckRules): Violation[] {
  const views = new Map<string, NodeView>();
  const view = (n: string): NodeView => {
    let v = views.get(n);
    if (v === undefined) views.set(n, (v = { writing: false, epoch: 0, fencedAt: 0, promotedAt: 0, cleanlyDemoted: true }));
    return v;
  };
  const out: Violation[] = [];
  const grants = new Map<number, { node: string; atMs: number }>();
  const fences: { target: string; epoch: number }[] = [];
  const gatewayReplies: { node: string; atMs: number }[] = [];
  const acked: Ack[] = [];
  let highestAccepted = 0;
  for (const e of history) {
    switch (e.kind) {
      case 'lease-grant':
        grants.set(e.epoch, { node: e.node, atMs: e.atMs });
        break;
      case 'gateway-reply':
        gatewayReplies.push({ node: e.node, atMs: e.atMs });
        break;
      case 'ack':
        acked.push(e);
        break;
      case 'fence': {
        fences.push({ target: e.target, epoch: e.epoch });
        view(e.target).fencedAt = Math.max(view(e.target).fencedAt, e.epoch);
        // A node may fence only for a promotion it could finish: its database runs as a replica of the last
        // primary's history, or it is the last primary itself (whose stopped database holds the newest data), or
        // nobody was ever promoted (no write was acknowledged, so a stopped database lacks nothing).
        const f = e.facts;
        if (!f.lastPrimary && !f.noPromotionYet && (f.db !== 'replica' || f.diverged)) {
          const why = f.db !== 'replica' ? `its database was ${f.db === 'stopped' ? 'stopped' : 'running as primary'}` : 'its log had diverged from the last primary (never rejoined)';
          out.push({ invariant: 'fence-while-ineligible', atMs: e.atMs, message: `${e.by} fenced ${e.target} at epoch ${e.epoch} while ineligible: ${why}, and it was not the last primary` });
        }
        break;
      }
      case 'promote': {
        out.push(...checkPromotion(e, views, fences, grants, gatewayReplies, rules));
        const missing = rules.zeroLoss ? acked.filter((a) => !holds(e.log, a)) : [];
        if (missing.length > 0) {
          const shown = missing.slice(0, 3).map(describeAck).join(', ');
          out.push({ invariant: 'lost-acknowledged-write', atMs: e.atMs, message: `${e.node} promoted at epoch ${e.epoch} without ${missing.length} acknowledged write(s) (${shown}${missing.length > 3 ? ', ...' : ''})` });
        }
        Object.assign(view(e.node), { writing: true, epoch: e.epoch, promotedAt: e.epoch, cleanlyDemoted: false });
        break;
      }
      case 'demote':
        Object.assign(view(e.node), { writing: false, cleanlyDemoted: true });
        break;
      case 'crash':
        // A dead agent alone leaves its database writing.
        if (e.agentOnly !== true) view(e.node).writing = false;
        break;
      case 'write':
        if (e.accepted && e.epoch < highestAccepted) out.push({ invariant: 'stale-write', atMs: e.atMs, message: `${e.node} wrote at epoch ${e.epoch} after a write at epoch ${highestAccepted} was accepted` });
        if (e.accepted) highestAccepted = Math.max(highestAccepted, e.epoch);
        break;
      default:
        break;
    }
    const writers = [...views.entries()].filter(([, v]) => v.writing && v.fencedAt <= v.epoch).map(([n, v]) => `${n}@${v.epoch}`);
    if (writers.length > 1) out.push({ invariant: 'single-writer', atMs: e.atMs, message: `unfenced writers at once: ${writers.sort().join(', ')}` });
  }
  return dedupe(out);
}

function checkPromotion(
  e: Timed & { kind: 'promote' },
  views: ReadonlyMap<string, NodeView>,
  fences: readonly { target: string; epoch: number }[],
  grants: ReadonlyMap<number, { node: string; atMs: number }>,
  gatewayReplies: readonly { node: string; atMs: number }[],
  rules: CheckRules,
): Violation[] {
  const out: Violation[] = [];
  // Every other node that was ever promoted at a lower epoch and never cleanly demoted since must be fenced at this epoch.
  for (const [n, v] of [...views.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (n === e.node || v.promotedAt === 0 || v.promotedAt >= e.epoch || v.cleanlyDemoted) continue;
    if (!fences.some((f) => f.target === n && f.epoch > v.promotedAt && f.epoch <= e.epoch)) {
      out.push({ invariant: 'promote-without-fence', atMs: e.atMs, message: `${e.node} promoted at epoch ${e.epoch} while ${n} (primary at epoch ${v.promotedAt}) was neither fenced since nor cleanly demoted` });
    }
  }
  const grant = grants.get(e.epoch);
  const from = (grant?.atMs ?? e.atMs) - rules.gatewayWindowMs;
  if (!gatewayReplies.some((g) => g.node === e.node && g.atMs >= from && g.atMs <= e.atMs)) {
    out.push({ invariant: 'promote-without-gateway', atMs: e.atMs, message: `${e.node} promoted at epoch ${e.epoch} without a gateway reply since ${from} ms` });
  }
  return out;
}

export interface LivenessResult {
  readonly violation?: Violation;
  /** From when a single primary served and kept serving to the end of the run. */
  readonly primaryAtMs?: number;
  /** No node held every acknowledged write after the heal: no primary was owed. */
  readonly unrestorable: boolean;
}

/**
 * Liveness: whenever, after the last fault healed, some node holds every
 * acknowledged write (in its log or its WAL mirror, per the `data` entries
 * recorded just after the heal), then within `boundMs` a single node holds
 * the lease and is the one unfenced writer, and it stays so to the end of
 * the run: the same epoch on every sample, no fence and no other promotion
 * after it. A primary that appears and is fenced away again (a fence loop)
 * does not count.
 */
export function checkLiveness(history: readonly Timed[], healAtMs: number, boundMs: number): LivenessResult {
  const writing = new Map<string, { epoch: number; fencedAt: number; on: boolean }>();
  const w = (n: string): { epoch: number; fencedAt: number; on: boolean } => {
    let x = writing.get(n);
    if (x === undefined) writing.set(n, (x = { epoch: 0, fencedAt: 0, on: false }));
    return x;
  };
  const acked: Ack[] = [];
  const data: { node: string; log: readonly Segment[]; mirror: readonly Segment[] }[] = [];
  let ackedAtData: readonly Ack[] | undefined;
  let stableFrom: number | undefined;
  let stableKey = '';
  let disruption = 'no sample with a single primary after the heal';
  for (const e of history) {
    if (e.kind === 'ack') acked.push(e);
    if (e.kind === 'data') {
      ackedAtData ??= acked.slice();
      data.push(e);
    }
    if (e.kind === 'promote') {
      Object.assign(w(e.node), { on: true, epoch: e.epoch });
      // A restart of the serving primary's group at its own epoch is no change of primary.
      if (e.atMs >= healAtMs && `${e.node}@${e.epoch}` !== stableKey) {
        stableFrom = undefined;
        disruption = `${e.node} promoted at epoch ${e.epoch} at ${e.atMs} ms`;
      }
    }
    if (e.kind === 'demote' || (e.kind === 'crash' && e.agentOnly !== true)) w(e.node).on = false;
    if (e.kind === 'fence') {
      w(e.target).fencedAt = Math.max(w(e.target).fencedAt, e.epoch);
      if (e.atMs >= healAtMs) {
        stableFrom = undefined;
        disruption = `${e.by} fenced ${e.target} at epoch ${e.epoch} at ${e.atMs} ms`;
      }
    }
    if (e.kind !== 'sample' || e.atMs < healAtMs) continue;
    const live = [...writing.entries()].filter(([, v]) => v.on && v.fencedAt <= v.epoch);
    const [only] = live;
    if (live.length === 1 && only !== undefined && only[0] === e.leaseHolder && only[1].epoch === e.leaseEpoch) {
      const key = `${only[0]}@${only[1].epoch}`;
      if (stableFrom === undefined || key !== stableKey) (stableFrom = e.atMs), (stableKey = key);
    } else if (stableFrom !== undefined) {
      stableFrom = undefined;
      disruption = `at ${e.atMs} ms the lease (${e.leaseHolder ?? 'none'}@${e.leaseEpoch ?? '-'}) and the writers (${live.map(([n, v]) => `${n}@${v.epoch}`).join(', ') || 'none'}) disagreed`;
    }
  }
  const restorable = data.length === 0 || data.some((d) => (ackedAtData ?? acked).every((a) => holds(d.log, a) || holds(d.mirror, a)));
  const primaryAtMs = stableFrom === undefined ? {} : { primaryAtMs: stableFrom };
  if (!restorable || (stableFrom !== undefined && stableFrom - healAtMs <= boundMs)) return { ...primaryAtMs, unrestorable: !restorable };
  const when = stableFrom === undefined ? `no primary kept serving to the end of the run (last: ${disruption})` : `the primary that kept serving came only at ${stableFrom} ms`;
  return { ...primaryAtMs, unrestorable: false, violation: { invariant: 'liveness', atMs: healAtMs + boundMs, message: `faults healed at ${healAtMs} ms with a node holding every acknowledged write; bound ${boundMs} ms; ${when}` } };
}

/**
 * No fence loop: after the faults healed, no node fences the same peer
 * twice. A loop is one node shooting the same peer again and again (issue
 * 13's s2 powering s1 off every 8 s, or a primary fencing every peer at each
 * renewal). Two winners of successive elections may each have to fence a
 * peer that is not a healthy replica: the second cannot know what the peer
 * did since the first fence (simulation seed 5006, where the first winner
 * refused its promotion and the last primary took over). One fence action
 * may leave several fence events (both devices of a level, a second attempt
 * at the same epoch): events for one pair at one epoch within `burstMs` of
 * the first count as one fence.
 */
export function checkFenceRepeats(history: readonly Timed[], healAtMs: number, burstMs: number): { violations: Violation[]; fences: number } {
  const bursts = new Map<string, { epoch: number; atMs: number }[]>();
  let fences = 0;
  for (const e of history) {
    if (e.kind !== 'fence' || e.atMs < healAtMs) continue;
    fences++;
    const pair = `${e.by} fenced ${e.target}`;
    const list = bursts.get(pair) ?? [];
    const last = list[list.length - 1];
    if (last === undefined || last.epoch !== e.epoch || e.atMs - last.atMs > burstMs) list.push({ epoch: e.epoch, atMs: e.atMs });
    bursts.set(pair, list);
  }
  const violations: Violation[] = [];
  for (const [pair, list] of [...bursts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const second = list[1];
    if (second === undefined) continue;
    const shown = list.slice(0, 4).map((b) => `epoch ${b.epoch} at ${b.atMs} ms`).join(', ');
    violations.push({ invariant: 'repeated-fence', atMs: second.atMs, message: `${pair} ${list.length} times after the faults healed at ${healAtMs} ms (${shown}${list.length > 4 ? ', ...' : ''})` });
  }
  return { violations, fences };
}

/** One violation per invariant and message: a lasting split brain is reported once, not at every step. */
function dedupe(v: Violation[]): Violation[] {
  const seen = new Set<string>();
  return v.filter((x) => {
    const key = `${x.invariant}|${x.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
