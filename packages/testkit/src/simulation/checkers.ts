import type { Timed } from './history.js';

/**
 * Invariant checkers. They read only the recorded history (what resources,
 * fencers, the store and the gateway saw), never the agents' own beliefs,
 * and they share no code with the HA cycle they judge.
 */
export type Invariant = 'single-writer' | 'stale-write' | 'promote-without-fence' | 'promote-without-gateway' | 'liveness';

export interface Violation {
  readonly invariant: Invariant;
  readonly atMs: number;
  readonly message: string;
}

export interface CheckRules {
  /** A promotion at epoch E needs a gateway reply to the promoting node no earlier than this long before E was granted. */
  readonly gatewayWindowMs: number;
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
  let highestAccepted = 0;
  for (const e of history) {
    switch (e.kind) {
      case 'lease-grant':
        grants.set(e.epoch, { node: e.node, atMs: e.atMs });
        break;
      case 'gateway-reply':
        gatewayReplies.push({ node: e.node, atMs: e.atMs });
        break;
      case 'fence':
        fences.push({ target: e.target, epoch: e.epoch });
        view(e.target).fencedAt = Math.max(view(e.target).fencedAt, e.epoch);
        break;
      case 'promote':
        out.push(...checkPromotion(e, views, fences, grants, gatewayReplies, rules));
        Object.assign(view(e.node), { writing: true, epoch: e.epoch, promotedAt: e.epoch, cleanlyDemoted: false });
        break;
      case 'demote':
        Object.assign(view(e.node), { writing: false, cleanlyDemoted: true });
        break;
      case 'crash':
        view(e.node).writing = false;
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

/** Liveness: after the last fault healed, a node must hold the lease and be the one unfenced writer within `boundMs`. */
export function checkLiveness(history: readonly Timed[], healAtMs: number, boundMs: number): { violation?: Violation; primaryAtMs?: number } {
  const writing = new Map<string, { epoch: number; fencedAt: number; on: boolean }>();
  for (const e of history) {
    const w = (n: string): { epoch: number; fencedAt: number; on: boolean } => {
      let x = writing.get(n);
      if (x === undefined) writing.set(n, (x = { epoch: 0, fencedAt: 0, on: false }));
      return x;
    };
    if (e.kind === 'promote') Object.assign(w(e.node), { on: true, epoch: e.epoch });
    if (e.kind === 'demote' || e.kind === 'crash') w(e.node).on = false;
    if (e.kind === 'fence') w(e.target).fencedAt = Math.max(w(e.target).fencedAt, e.epoch);
    if (e.kind !== 'sample' || e.atMs < healAtMs || e.leaseHolder === undefined) continue;
    const live = [...writing.entries()].filter(([, v]) => v.on && v.fencedAt <= v.epoch);
    const [only] = live;
    if (live.length === 1 && only !== undefined && only[0] === e.leaseHolder && only[1].epoch === e.leaseEpoch) {
      return e.atMs - healAtMs <= boundMs ? { primaryAtMs: e.atMs } : { primaryAtMs: e.atMs, violation: late(healAtMs, boundMs, e.atMs) };
    }
  }
  return { violation: late(healAtMs, boundMs, undefined) };
}

function late(healAtMs: number, boundMs: number, atMs: number | undefined): Violation {
  const when = atMs === undefined ? 'no primary by the end of the run' : `the first primary came at ${atMs} ms`;
  return { invariant: 'liveness', atMs: healAtMs + boundMs, message: `faults healed at ${healAtMs} ms; bound ${boundMs} ms; ${when}` };
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
