import type { OutcomeCode } from '../contracts/outcome.js';
import type { ProbeTally, ProbeView } from './snapshot.js';

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
    const consecutiveFailures = code === 'ok' ? 0 : code === 'failed' ? before + 1 : before;
    return { id, consecutiveFailures, lastCode: code };
  });
  return { target, tallies };
}
