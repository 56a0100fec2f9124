import { UNCHECKED } from './eligibility-rules.js';
import type { StoreView } from './snapshot.js';

/** An event to record, in the shape the loop hands to its outbox. */
export interface EligibilityEvent {
  readonly type: 'ha.ineligible' | 'ha.eligible' | 'alert.no-eligible-node' | 'ha.eligible-node-back';
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * When no node holds the lease and every live member says it cannot take
 * over, name the node that holds every acknowledged write (the last
 * recorded primary) and the two ways out. Undefined while any member is
 * eligible or has not checked yet (a restarted agent's first heartbeat),
 * a lease is held, or the store cannot be read. Pure: the CLI's status
 * uses it too.
 */
export function noEligibleNode(store: StoreView): { readonly message: string; readonly holder: string | undefined; readonly members: readonly string[] } | undefined {
  if (!store.reachable || store.lease !== undefined || store.members.length === 0) return undefined;
  if (store.members.some((m) => m.facts['eligible'] !== false || m.facts['ineligible'] === UNCHECKED)) return undefined;
  const last = store.lastPrimary;
  const members = store.members.map((m) => m.node);
  const holder = last?.node;
  const other = members.find((m) => m !== holder) ?? members[0] ?? '<node>';
  const why = store.members.map((m) => `${m.node}: ${String(m.facts['ineligible'] ?? 'not eligible')}`).join('; ');
  const keeper = holder === undefined ? 'no promotion is recorded, so no node is known to hold every acknowledged write' : `${holder} (primary at epoch ${last?.epoch}) holds every acknowledged write`;
  const ways = holder === undefined ? `tandem failover --to ${other} --accept-data-loss` : `bring ${holder} back (its agent up, its database startable), or tandem failover --to ${other} --accept-data-loss`;
  return { message: `no node can take over without losing acknowledged writes: ${keeper}; ways out: ${ways} (${why})`, holder, members };
}

/**
 * Eligibility on its edges: one event when this node becomes unable to take
 * over (and why) and one when it can again, never one per cycle; and the
 * cluster-wide alert once per episode, raised by the first member by name
 * so the history holds it once.
 */
export class EligibilityWatch {
  /** Undefined until the first answer: a node that starts eligible says nothing. */
  private wasIneligible: boolean | undefined;
  private alerted = false;

  observe(node: string, ineligible: string | undefined, store: StoreView): EligibilityEvent[] {
    const out: EligibilityEvent[] = [];
    if (ineligible !== undefined && this.wasIneligible !== true) out.push({ type: 'ha.ineligible', level: 'warn', message: `${node} cannot take over: ${ineligible}`, data: { reason: ineligible } });
    if (ineligible === undefined && this.wasIneligible === true) out.push({ type: 'ha.eligible', level: 'info', message: `${node} could take over again`, data: {} });
    this.wasIneligible = ineligible !== undefined;
    // This node's own answer is newer than its record in the store.
    const none = ineligible === undefined ? undefined : noEligibleNode(store);
    if (none !== undefined && !this.alerted && none.members[0] === node) {
      this.alerted = true;
      out.push({ type: 'alert.no-eligible-node', level: 'error', message: none.message, data: { holder: none.holder ?? null, members: none.members } });
    } else if (none === undefined && this.alerted && store.reachable) {
      this.alerted = false;
      out.push({ type: 'ha.eligible-node-back', level: 'info', message: 'a node can take over again, or one holds the lease', data: {} });
    }
    return out;
  }
}
