import type { OutcomeCode } from '../contracts/outcome.js';
import type { ProbeTally, ProbeView } from './snapshot.js';

const nextCount = (before: number, code: OutcomeCode): number => (code === 'ok' ? 0 : code === 'failed' ? before + 1 : before);

/**
 * Count consecutive failures per probe against one target. `ok` resets,
 * `failed` counts; `timeout`, `unknown`, `config-error` and `not-installed`
 * leave the count unchanged (not healthy, not a confirmed failure). A new
 * target starts from zero. Pure.
 */
export function tallyProbes(previous: ProbeView | undefined, target: string, outcomes: readonly { readonly id: string; readonly code: OutcomeCode }[]): ProbeView {
  const prior = previous?.target === target ? previous.tallies : [];
  const tallies: ProbeTally[] = outcomes.map(({ id, code }) => {
    const before = prior.find((t) => t.id === id)?.consecutiveFailures ?? 0;
    return { id, consecutiveFailures: nextCount(before, code), lastCode: code };
  });
  return { target, tallies };
}

/** One probe's answer applied to its tally in `view`, the others unchanged. Pure. */
export function tallyOne(view: ProbeView, id: string, code: OutcomeCode): ProbeView {
  return {
    target: view.target,
    tallies: view.tallies.map((t) => (t.id === id ? { id, consecutiveFailures: nextCount(t.consecutiveFailures, code), lastCode: code } : t)),
  };
}
