import { callWithDeadline } from '../call.js';
import type { FenceProof, FenceRequest, Fencer } from '../contracts/fencer.js';
import type { Outcome } from '../contracts/outcome.js';
import type { Composed } from '../plugins/compose.js';
import type { Clock } from '../ports/clock.js';

/** What one fencer said, kept for the event history. */
export interface FencerVerdict {
  readonly level: number;
  readonly id: string;
  readonly code: Outcome['code'];
  readonly reason: string;
}

export type FenceLevelsResult =
  | { readonly ok: true; readonly level: number; readonly proofs: readonly FenceProof[]; readonly verdicts: readonly FencerVerdict[] }
  | { readonly ok: false; readonly reason: string; readonly verdicts: readonly FencerVerdict[] };

/**
 * Fence one node through the configured levels. Levels are tried in order;
 * inside a level every fencer runs at once and all must return `ok` with a
 * proof carrying exactly the requested epoch. The first level that fully
 * succeeds fences the node. Each fencer is bounded by its instance timeout
 * (or `defaultTimeoutMs`), so the whole call is bounded by levels x timeout.
 */
export async function runFencingLevels(
  clock: Clock,
  levels: readonly (readonly Composed<Fencer>[])[],
  request: FenceRequest,
  defaultTimeoutMs: number,
  stillEntitled?: () => Promise<string | undefined>,
): Promise<FenceLevelsResult> {
  const verdicts: FencerVerdict[] = [];
  if (levels.length === 0) return { ok: false, reason: 'no fencing levels are configured: no fence, no promotion', verdicts };
  for (const [index, level] of levels.entries()) {
    const n = index + 1;
    // A level can take its whole timeout (or the fencer's process can be frozen in it): before the next one, the
    // fencer must still be the one entitled to fence at this epoch (simulation seed 7494).
    const stop = index > 0 && stillEntitled !== undefined ? await stillEntitled() : undefined;
    if (stop !== undefined) return { ok: false, reason: `stopped before level ${n} for ${request.node.name} at epoch ${request.epoch}: ${stop}`, verdicts };
    const outcomes = await Promise.all(
      level.map((f) => callWithDeadline<FenceProof>(clock, f.timeoutMs ?? defaultTimeoutMs, `fencer ${f.id}`, (ctx) => f.impl.fence(request, ctx))),
    );
    const proofs: FenceProof[] = [];
    for (const [i, o] of outcomes.entries()) {
      const id = level[i]?.id ?? `#${i}`;
      const verdict = judge(o, request.epoch);
      verdicts.push({ level: n, id, ...verdict });
      if (verdict.code === 'ok' && o.data !== undefined) proofs.push(o.data);
    }
    if (proofs.length === level.length) return { ok: true, level: n, proofs, verdicts };
  }
  const reason = verdicts.filter((v) => v.code !== 'ok').map((v) => `level ${v.level} ${v.id}: ${v.code} (${v.reason})`).join('; ');
  return { ok: false, reason: `every fencing level failed for ${request.node.name} at epoch ${request.epoch}: ${reason}`, verdicts };
}

/** An `ok` without a proof for this very epoch proves nothing. */
function judge(o: Outcome<FenceProof>, epoch: number): { code: Outcome['code']; reason: string } {
  if (o.code !== 'ok') return { code: o.code, reason: o.reason };
  if (o.data === undefined) return { code: 'failed', reason: `returned ok without a proof: ${o.reason}` };
  if (o.data.epoch !== epoch) return { code: 'failed', reason: `proof is for epoch ${o.data.epoch}, not ${epoch}` };
  return { code: 'ok', reason: o.data.verified };
}
