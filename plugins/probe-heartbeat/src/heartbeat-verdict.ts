import { outcome, type NicRole, type Outcome, type ProbeData } from '@tandem/core';
import type { LinkResult, LinkState } from './link-ping.js';

/** The heartbeat's two private links, in the order they are reported. */
export const PRIVATE_LINKS = ['privateA', 'privateB'] as const satisfies readonly NicRole[];
export type PrivateLink = (typeof PRIVATE_LINKS)[number];
export type ConfirmNetwork = 'public' | 'storage';

/**
 * - `healthy`: both private links answer.
 * - `degraded`: one private link answers; still `ok` (one link is enough to know the peer lives),
 *   and `data.degraded` names the lost link, so the core records `probe.degraded` / `probe.restored`.
 * - `suspected-partition`: both private links silent, the peer answers elsewhere: it is alive.
 * - `peer-silent`: no answer on any network the probe tried.
 * - `links-lost`: both private links silent, confirmation gave no verdict either way.
 * - `inconclusive`: no private link answered but at least one gave no verdict (timeout, odd output).
 */
export type HeartbeatVerdict = 'healthy' | 'degraded' | 'suspected-partition' | 'peer-silent' | 'links-lost' | 'inconclusive';

export interface HeartbeatData extends ProbeData {
  readonly verdict: HeartbeatVerdict;
  readonly links: Readonly<Record<PrivateLink, LinkState>>;
  /** Present when both private links were silent and the other networks were pinged. */
  readonly confirm?: Readonly<Partial<Record<ConfirmNetwork, LinkState>>>;
}

const joinAnd = (names: readonly string[]): string => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
const roles = (results: readonly LinkResult[], state: LinkState): string[] => results.filter((r) => r.state === state).map((r) => r.role);
const detail = (r: LinkResult): string => `${r.role}: ${r.reason}`;

/**
 * A setup problem outranks every verdict: not-installed, then config-error.
 * A misconfigured link would otherwise read as a lost one forever, and the
 * core only alerts an operator for these two codes.
 */
export function setupProblem(results: readonly LinkResult[]): Outcome<HeartbeatData> | undefined {
  const missing = results.find((r) => r.code === 'not-installed');
  if (missing !== undefined) return outcome('not-installed', missing.reason);
  const wrong = results.filter((r) => r.code === 'config-error');
  if (wrong.length > 0) return outcome('config-error', wrong.map(detail).join('; '));
  return undefined;
}

function linkStates(links: readonly LinkResult[]): Record<PrivateLink, LinkState> {
  const state = (role: PrivateLink): LinkState => links.find((l) => l.role === role)?.state ?? 'unclear';
  return { privateA: state('privateA'), privateB: state('privateB') };
}

/** True when no private link answered: only then is the peer pinged on the other networks. */
export function needsConfirmation(links: readonly LinkResult[]): boolean {
  return setupProblem(links) === undefined && !links.some((l) => l.state === 'up');
}

/** The verdict while at least one private link answers (no confirmation needed). */
export function linksVerdict(peer: string, links: readonly LinkResult[], latencyMs: number): Outcome<HeartbeatData> {
  const problem = setupProblem(links);
  if (problem !== undefined) return problem;
  const states = linkStates(links);
  const up = roles(links, 'up');
  if (up.length === links.length) return outcome('ok', `heartbeat ok: ${peer} answers on ${joinAnd(up)}`, { latencyMs, verdict: 'healthy', links: states });
  const lost = links.filter((l) => l.state !== 'up');
  // One live link proves the peer is up; a lost link is for the operator to mend, not for the cluster to fail over.
  return outcome('ok', `degraded heartbeat: ${joinAnd(lost.map((l) => l.role))} lost (${lost.map((l) => l.reason).join('; ')}); ${peer} answers on ${joinAnd(up)}`, {
    latencyMs,
    verdict: 'degraded',
    links: states,
    // Only the link names, no ping detail: the core records an event when this appears and when it goes,
    // and the operator reads in it which link to mend. The reason keeps what ping said.
    degraded: `${joinAnd(lost.map((l) => l.role))} lost, heartbeat on ${joinAnd(up)} only`,
  });
}

/**
 * The verdict once no private link answered and the peer was pinged on the
 * other networks. `failed` only when both private links are positively
 * down; a link without a verdict keeps the answer `timeout`/`unknown`,
 * which the core never counts as a confirmed failure. A confirmation that
 * gives no verdict does not change what the links said.
 */
export function confirmedVerdict(peer: string, links: readonly LinkResult[], confirm: readonly LinkResult[], latencyMs: number): Outcome<HeartbeatData> {
  const problem = setupProblem([...links, ...confirm]);
  if (problem !== undefined) return problem;
  const confirmStates = Object.fromEntries(confirm.map((c) => [c.role, c.state])) as Partial<Record<ConfirmNetwork, LinkState>>;
  const data = (verdict: HeartbeatVerdict): HeartbeatData => ({ latencyMs, verdict, links: linkStates(links), confirm: confirmStates });
  const alive = roles(confirm, 'up');
  const unclearLinks = links.filter((l) => l.state === 'unclear');
  if (unclearLinks.length > 0) {
    const code = unclearLinks.some((l) => l.code === 'timeout') ? 'timeout' : 'unknown';
    const elsewhere = alive.length > 0 ? `; ${peer} answers on ${joinAnd(alive)}` : '';
    return outcome(code, `heartbeat inconclusive: ${links.map((l) => `${l.role} ${l.state === 'down' ? 'down' : `gave no verdict (${l.reason})`}`).join(', ')}${elsewhere}`, data('inconclusive'));
  }
  const silentLinks = joinAnd(links.map((l) => l.role));
  if (alive.length > 0) {
    return outcome('failed', `suspected partition: ${silentLinks} silent, peer answers on ${joinAnd(alive)}; ${peer} is alive, so the lease and fencing settle which node writes`, data('suspected-partition'));
  }
  const unclear = confirm.filter((c) => c.state === 'unclear');
  if (unclear.length === 0) {
    const tried = [...links, ...confirm].map((r) => r.role);
    const where = tried.length === 4 ? `all four networks (${joinAnd(tried)})` : joinAnd(tried);
    return outcome('failed', `peer silent on ${where}: ${peer} looks down`, data('peer-silent'));
  }
  const down = roles(confirm, 'down');
  return outcome(
    'failed',
    `heartbeat lost: ${silentLinks} silent; confirmation gave no verdict (${unclear.map(detail).join('; ')})${down.length > 0 ? `; ${joinAnd(down)} silent too` : ''}`,
    data('links-lost'),
  );
}
