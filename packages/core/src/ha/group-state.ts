import type { OutcomeCode } from '../contracts/outcome.js';
import type { ResourceState } from '../contracts/resource-agent.js';
import type { ActionResultData } from './actions.js';

/** One resource step that did not return ok. */
export interface StepFailure {
  readonly id: string;
  readonly step: 'start' | 'promote' | 'demote' | 'stop' | 'monitor';
  readonly code: OutcomeCode;
  readonly reason: string;
}

/**
 * Where a resource group stands after promote/restart. `promoted`: every
 * resource started (and promoted where it has roles). `rolled-back`: one
 * failed and every resource started before it was demoted or stopped again,
 * so nothing serves as primary. `half-started`: one failed and the rollback
 * failed too; `started` names what may still serve, and the outcome says
 * NOT SAFE.
 */
export interface GroupState {
  readonly state: 'promoted' | 'rolled-back' | 'half-started';
  /** Resources left serving on the primary side after the call, in group order (a resource with roles demoted back to a replica is not in it). */
  readonly started: readonly string[];
  readonly failed?: StepFailure;
  readonly rollbackFailures?: readonly StepFailure[];
}

/** What a monitor of the group saw of each resource that answered ok. */
export interface ResourceReport {
  readonly id: string;
  readonly state: ResourceState;
}

/** ActionResultData of the group steps (promote, restart, monitor): the executor passes it on untouched. */
export interface GroupResultData extends ActionResultData {
  readonly group?: GroupState;
  /** monitor: the resources that answered ok, with their state (`degraded` among it). */
  readonly resources?: readonly ResourceReport[];
}

/** Read the group facts from an action result's data, whatever action it was. */
export function groupDataOf(data: ActionResultData | undefined): GroupResultData {
  return (data ?? {}) as GroupResultData;
}

/** The sentence for a failed switchover: what failed, and in what state the group is now. */
export function describeGroupFailure(g: GroupState, epoch: number, undone: readonly string[]): string {
  const f = g.failed;
  const cause = f === undefined ? 'a step failed' : `${f.id} failed to ${f.step} at epoch ${epoch}: ${f.code} (${f.reason})`;
  if (g.state === 'half-started') {
    const bad = (g.rollbackFailures ?? []).map((r) => `${r.id} could not be ${r.step === 'demote' ? 'demoted' : 'stopped'} (${r.code}: ${r.reason})`).join('; ');
    return `NOT SAFE: ${bad}; group half-started: ${g.started.join(', ') || '(none confirmed)'}; ${cause}`;
  }
  return `rolled back: ${undone.length === 0 ? 'nothing was started' : undone.join(', ')}; ${cause}`;
}
