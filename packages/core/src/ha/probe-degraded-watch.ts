import type { ProbeData } from '../contracts/health-probe.js';
import type { Outcome } from '../contracts/outcome.js';

/** An event to record: the same shape the loop hands to its outbox. */
export interface ProbeWatchEvent {
  readonly type: 'probe.degraded' | 'probe.restored';
  readonly message: string;
  readonly data: { readonly probe: string; readonly target: string; readonly degraded: string };
}

/** The reason an answer is degraded, or undefined: only an `ok` answer with a non-empty `data.degraded` is. */
export function degradedReason(answer: Pick<Outcome<ProbeData>, 'code' | 'data'>): string | undefined {
  if (answer.code !== 'ok') return undefined;
  // Plugins are typed, but a plugin built against an older core could put anything here: only a string counts.
  const why: unknown = answer.data?.degraded;
  return typeof why === 'string' && why.length > 0 ? why : undefined;
}

/**
 * Edge detection for `ProbeData.degraded`, per probe and target: an event
 * when a probe's answers about a target become degraded (one of two
 * heartbeat links lost) and one when an `ok` answer without it follows,
 * never one per check: a week-long lost link is one event, not one per
 * second. A changed reason while still degraded is not an edge (the
 * latest is kept, so `restored` and `current` say what was last seen).
 *
 * `failed`, `timeout` and the other codes are no edge either way: a probe
 * that fails or gives no answer has not been restored, and its failure is
 * counted by the tally, not here. The state is one entry per degraded
 * probe x target, both taken from the config (probes and nodes), so it is
 * bounded; entries are never dropped on a change of target, so the event
 * history of each link stays paired (a degraded link to a node that later
 * leads again is reported restored when it is).
 */
export class ProbeDegradedWatch {
  private readonly degraded = new Map<string, { readonly probe: string; readonly target: string; readonly why: string }>();

  observe(probe: string, target: string, answer: Pick<Outcome<ProbeData>, 'code' | 'data'>): ProbeWatchEvent[] {
    // A key no probe id or node name can forge by containing the separator (both come from YAML).
    const key = JSON.stringify([probe, target]);
    const was = this.degraded.get(key);
    const why = degradedReason(answer);
    if (why !== undefined) {
      this.degraded.set(key, { probe, target, why });
      if (was !== undefined) return [];
      return [{ type: 'probe.degraded', message: `probe ${probe} on ${target} is degraded, still ok: ${why}`, data: { probe, target, degraded: why } }];
    }
    if (answer.code !== 'ok' || was === undefined) return [];
    this.degraded.delete(key);
    return [{ type: 'probe.restored', message: `probe ${probe} on ${target} is restored (was: ${was.why})`, data: { probe, target, degraded: was.why } }];
  }

  /** The probe x target pairs degraded as last seen, for a status view. */
  current(): readonly { readonly probe: string; readonly target: string; readonly degraded: string }[] {
    return [...this.degraded.values()].map(({ probe, target, why }) => ({ probe, target, degraded: why }));
  }
}
