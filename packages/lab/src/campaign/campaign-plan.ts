import type { NicRole } from '../topology/lab-spec.js';
import { seededRandom } from '../faults/delay-proxy-impairment.js';

/** What a campaign step does, before its target is resolved against the running cluster. */
export type StepKind = 'power-off' | 'freeze-host' | 'freeze-postgres' | 'nic-down' | 'drop' | 'isolate' | 'gateway-down' | 'store-down' | 'link-delay';

export const STEP_KINDS: readonly StepKind[] = ['power-off', 'freeze-host', 'freeze-postgres', 'nic-down', 'drop', 'isolate', 'gateway-down', 'store-down', 'link-delay'];

export interface PlannedStep {
  readonly index: number;
  readonly kind: StepKind;
  /** Which server the fault hits: the one serving writes at that moment, or one of the others. */
  readonly target: 'primary' | 'replica' | 'none';
  readonly nic?: NicRole;
  /** How long the fault stays before it is healed. */
  readonly holdMs: number;
  /** For link-delay. */
  readonly delayMs?: number;
}

export interface PlanOptions {
  readonly kinds?: readonly StepKind[];
  readonly minHoldMs?: number;
  readonly maxHoldMs?: number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('campaign: nothing to pick from');
  return item;
}

const NIC_CHOICES: readonly NicRole[] = ['public', 'storage', 'privateA', 'privateB'];

/** A random schedule of `count` faults, reproducible from `seed`. */
export function planCampaign(seed: number, count: number, options: PlanOptions = {}): PlannedStep[] {
  const random = seededRandom(seed);
  const kinds = options.kinds ?? STEP_KINDS;
  if (kinds.length === 0) throw new Error('campaign: --kinds names no fault');
  const minHoldMs = options.minHoldMs ?? 3000;
  const maxHoldMs = options.maxHoldMs ?? 8000;
  const steps: PlannedStep[] = [];
  for (let index = 0; index < count; index++) {
    const kind = pick(random, kinds);
    const holdMs = Math.round(minHoldMs + random() * (maxHoldMs - minHoldMs));
    const onServer = kind !== 'gateway-down' && kind !== 'store-down';
    const target = !onServer ? 'none' : random() < 0.6 ? 'primary' : 'replica';
    const step: PlannedStep = { index, kind, target, holdMs };
    if (kind === 'nic-down' || kind === 'drop') steps.push({ ...step, nic: pick(random, NIC_CHOICES) });
    else if (kind === 'link-delay') steps.push({ ...step, delayMs: pick(random, [50, 100, 200]) });
    else steps.push(step);
  }
  return steps;
}

/**
 * Does this fault take the primary's service away? A failover is expected
 * only then; a failover after any other fault is a false failover.
 */
export function isRealFailure(step: Pick<PlannedStep, 'kind' | 'target' | 'nic'>): boolean {
  if (step.target !== 'primary') return false;
  switch (step.kind) {
    case 'power-off':
    case 'freeze-host':
    case 'freeze-postgres':
    case 'isolate':
      return true;
    case 'nic-down':
      return step.nic === 'public';
    default:
      return false;
  }
}
