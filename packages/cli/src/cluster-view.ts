import { noEligibleNode, type ClusterSettings, type CoordinationStore, type Lease, type Member, type PrimaryRecord, type StoredEvent } from '@tandem/core';
import { safeLine } from './safe-text.js';

/** What `tandem status` shows: the store's view of the cluster, read in one go. */
export interface ClusterView {
  readonly cluster: string;
  readonly lease: Lease | undefined;
  readonly lastEpoch: number;
  readonly settings: ClusterSettings;
  /** The newest recorded promotion: that node holds every acknowledged write. */
  readonly lastPrimary: PrimaryRecord | undefined;
  /** Set when no node holds the lease and none can take over: what to do, shown before anything else. */
  readonly stuck: string | undefined;
  readonly members: readonly Member[];
  readonly configuredNodes: readonly string[];
  /** Configured nodes with no live heartbeat. */
  readonly silentNodes: readonly string[];
  readonly recentEvents: readonly StoredEvent[];
  /** Problems an operator should see first: no primary, two members claiming primary, maintenance on. */
  readonly warnings: readonly string[];
}

export async function readClusterView(store: CoordinationStore, cluster: string, configuredNodes: readonly string[], eventCount = 5): Promise<ClusterView> {
  const [lease, lastEpoch, settings, members, events, lastPrimary] = await Promise.all([
    store.readLease(),
    store.lastEpoch(),
    store.readSettings(),
    store.members(),
    store.readEvents({ limit: 10_000 }),
    store.lastPrimary(),
  ]);
  const stuck = noEligibleNode({ reachable: true, lease, members, settings, ...(lastPrimary === undefined ? {} : { lastPrimary }) })?.message;
  const ineligible = members.filter((m) => m.facts['eligible'] === false).map((m) => `${m.node} cannot take over: ${String(m.facts['ineligible'] ?? 'no reason given')}`);
  const live = new Set(members.map((m) => m.node));
  const silentNodes = configuredNodes.filter((n) => !live.has(n));
  const claimants = members.filter((m) => m.role === 'primary').map((m) => m.node);
  const warnings = [
    ...(lease === undefined ? ['no node holds the primary lease'] : []),
    ...(claimants.length > 1 ? [`more than one member reports itself primary: ${claimants.join(', ')}`] : []),
    ...(lease !== undefined && claimants.length === 1 && claimants[0] !== lease.holder ? [`${claimants[0]} reports primary but ${lease.holder} holds the lease`] : []),
    ...(settings.maintenance ? ['maintenance mode is on: automatic failover is paused'] : []),
    ...silentNodes.map((n) => `${n} sends no heartbeat`),
    ...ineligible,
  ];
  return { cluster, lease, lastEpoch, settings, lastPrimary, stuck, members, configuredNodes, silentNodes, recentEvents: events.slice(-eventCount), warnings };
}

/**
 * Every field here was read from the store, which anyone who can write to it controls:
 * each is escaped as one line (safeLine) before it is padded into its column.
 */
export function renderClusterView(v: ClusterView): string {
  const alone = v.lastPrimary?.soleCopy === true ? ' (SOLE COPY: its writes are on no other node; nobody else may take over)' : '';
  const last = v.lastPrimary === undefined ? '' : `; last promoted ${safeLine(v.lastPrimary.node)} at epoch ${safeLine(v.lastPrimary.epoch)}${alone}`;
  const lines = [
    ...(v.stuck === undefined ? [] : [`!! ${safeLine(v.stuck)}`, '']),
    `cluster ${safeLine(v.cluster)}: ${v.lease ? `primary ${safeLine(v.lease.holder)}, lease epoch ${safeLine(v.lease.epoch)} (${Math.round(v.lease.remainingMs)} ms left)` : 'NO PRIMARY'}; last epoch ${safeLine(v.lastEpoch)}${last}${v.settings.maintenance ? '; MAINTENANCE' : ''}`,
    '',
    `${'NODE'.padEnd(12)}${'ROLE'.padEnd(11)}${'EPOCH'.padEnd(7)}${'HEARTBEAT'.padEnd(11)}FACTS`,
    ...v.members.map((m) => `${safeLine(m.node).padEnd(12)}${safeLine(m.role).padEnd(11)}${safeLine(m.epoch).padEnd(7)}${`${Math.round(m.remainingMs)}ms`.padEnd(11)}${Object.entries(m.facts).map(([k, x]) => `${safeLine(k)}=${safeLine(x)}`).join(' ')}`),
    ...v.silentNodes.map((n) => `${safeLine(n).padEnd(12)}${'-'.padEnd(11)}${'-'.padEnd(7)}${'none'.padEnd(11)}`),
  ];
  const request = v.settings.request;
  if (request) lines.push('', `pending request: ${safeLine(request.kind)}${request.target ? ` to ${safeLine(request.target)}` : ''} (${safeLine(request.id)})`);
  if (v.warnings.length > 0) lines.push('', ...v.warnings.map((w) => `! ${safeLine(w)}`));
  if (v.recentEvents.length > 0) lines.push('', 'recent events:', ...v.recentEvents.map(renderEvent));
  return lines.join('\n');
}

/** One line per event, whatever its message holds: a newline in it would forge the next event. */
export function renderEvent(e: StoredEvent): string {
  return `${new Date(e.atWallMs).toISOString()}  ${safeLine(e.node).padEnd(8)} ${safeLine(e.type).padEnd(22)} ${safeLine(e.message)}`;
}
