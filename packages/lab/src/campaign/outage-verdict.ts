import type { WriteAttempt } from '../checkers/workload-records.js';

/** One node as the campaign saw it at one moment while it waited for service to come back. */
export interface NodeSample {
  readonly node: string;
  /** Its BMC says the power is on. */
  readonly powered: boolean;
  /** Its agent process runs (undefined when the cluster has no agents). */
  readonly agentRunning?: boolean;
  /** Its member record is in the store (the agent heartbeats); undefined when the store could not be read. */
  readonly heartbeat?: boolean;
  /** What its member record says, for the report. */
  readonly role?: string;
  readonly ineligible?: string;
}

export interface ClusterSample {
  readonly atMs: number;
  readonly nodes: readonly NodeSample[];
  /** The lease holder and epoch the store reports, when it could be read. */
  readonly lease?: { readonly holder: string; readonly epoch: number };
  /** Why the store could not be read, when it could not. */
  readonly storeError?: string;
}

/** What one node is known to hold of the acknowledged writes. */
export interface NodeHoldings {
  readonly node: string;
  readonly holdsAll: boolean;
  /** Acknowledged writes found in its database; undefined when it could not be read. */
  readonly ackedHeld: number | undefined;
  readonly ackedTotal: number;
  /** How this was decided, in words. */
  readonly why: string;
}

/**
 * After a heal, service did not come back within the bound. `stuck`: a node
 * holding every acknowledged write was up meanwhile, so the cluster could have
 * restored service and did not (a failure). `unrestorable`: no such node was
 * up, so no promotion could keep the acknowledged writes (reported, not a failure).
 */
export type OutageVerdict =
  | { readonly kind: 'stuck'; readonly upHolders: readonly string[]; readonly holders: readonly NodeHoldings[]; readonly summary: string }
  | { readonly kind: 'unrestorable'; readonly holders: readonly NodeHoldings[]; readonly summary: string };

const keyOf = (a: { writer: string; seq: number }): string => `${a.writer}:${a.seq}`;

/**
 * Who holds every acknowledged write. A node whose database could be read
 * holds them when every acknowledged (writer, seq) is among its rows. A node
 * whose database could not be read holds them when it answered the last
 * acknowledged write: no write was acknowledged after it, so nobody can have more.
 */
export function holdingsOf(nodes: readonly string[], attempts: readonly WriteAttempt[], stored: ReadonlyMap<string, readonly { writer: string; seq: number }[] | undefined>): NodeHoldings[] {
  const acked = attempts.filter((a) => a.outcome === 'acked');
  const last = [...acked].sort((a, b) => a.endMs - b.endMs).pop();
  const ackedKeys = new Set(acked.map(keyOf));
  return nodes.map((node): NodeHoldings => {
    const rows = stored.get(node);
    if (rows !== undefined) {
      const have = new Set(rows.map(keyOf));
      const held = [...ackedKeys].filter((k) => have.has(k)).length;
      return { node, holdsAll: held === ackedKeys.size, ackedHeld: held, ackedTotal: ackedKeys.size, why: `its database has ${held} of the ${ackedKeys.size} acknowledged writes` };
    }
    if (last !== undefined && last.host === node) {
      return { node, holdsAll: true, ackedHeld: undefined, ackedTotal: ackedKeys.size, why: `it answered the last acknowledged write (${keyOf(last)}); its database could not be read` };
    }
    return { node, holdsAll: false, ackedHeld: undefined, ackedTotal: ackedKeys.size, why: 'its database could not be read and it did not answer the last acknowledged write' };
  });
}

/** Up: powered on, its agent running and heartbeating, as far as each could be seen. */
export function nodeUp(sample: NodeSample): boolean {
  return sample.powered && sample.agentRunning !== false && sample.heartbeat !== false;
}

function describeNode(node: string, samples: readonly ClusterSample[]): string {
  const seen = samples.flatMap((s) => s.nodes.filter((n) => n.node === node));
  const upCount = seen.filter(nodeUp).length;
  const lastSeen = seen[seen.length - 1];
  const detail = lastSeen === undefined ? '' : lastSeen.role !== undefined ? `, last seen as ${lastSeen.role}${lastSeen.ineligible ? ` (ineligible: ${lastSeen.ineligible})` : ''}` : '';
  return `up in ${upCount} of ${seen.length} samples${detail}`;
}

/** The verdict on an outage that outlasted the bound, from who holds the writes and who was up while the campaign waited. */
export function classifyOutage(holders: readonly NodeHoldings[], samples: readonly ClusterSample[]): OutageVerdict {
  const holding = holders.filter((h) => h.holdsAll);
  const upHolders = holding.filter((h) => samples.some((s) => s.nodes.some((n) => n.node === h.node && nodeUp(n)))).map((h) => h.node);
  const names = holding.map((h) => `${h.node} (${h.why}; ${describeNode(h.node, samples)})`);
  if (upHolders.length > 0) {
    return { kind: 'stuck', upHolders, holders, summary: `stuck: ${upHolders.join(', ')} held every acknowledged write and ${upHolders.length === 1 ? 'was' : 'were'} up, yet no primary served: ${names.join('; ')}` };
  }
  const who = names.length > 0 ? names.join('; ') : 'no node is known to hold every acknowledged write';
  return { kind: 'unrestorable', holders, summary: `unrestorable: no node holding every acknowledged write was up: ${who}` };
}
