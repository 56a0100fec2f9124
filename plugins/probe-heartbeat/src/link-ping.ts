import { pingProbeOptions, pingSpec, classifyPing, type PingProbeOptions } from '@tandem/plugin-probe-ping';
import type { CommandRunner, NicRole, NodeInfo, OutcomeCode } from '@tandem/core';
import type { HeartbeatProbeOptions } from './heartbeat-options.js';

/** What one echo on one network said: `unclear` when no verdict came back (a timeout, output ping cannot classify, a config problem). */
export type LinkState = 'up' | 'down' | 'unclear';

export interface LinkResult {
  readonly role: NicRole;
  readonly state: LinkState;
  /** probe-ping's outcome code for this echo, kept so config-error and not-installed are never hidden. */
  readonly code: OutcomeCode;
  readonly reason: string;
}

/**
 * How this host pings the peer on one network: probe-ping's options (which
 * NIC, bound to which local interface), or why that cannot work.
 */
export type LinkPlan =
  | { readonly role: NicRole; readonly ping: PingProbeOptions; readonly localName: string }
  | { readonly role: NicRole; readonly problem: string };

const STATE: Readonly<Partial<Record<OutcomeCode, LinkState>>> = { ok: 'up', failed: 'down' };

/**
 * The local interface an echo on `role` leaves by. The name binds the socket
 * to the wire (SO_BINDTODEVICE), so a down private NIC can never be bridged
 * by a route through another one; an address only picks the source, which is
 * second best and is what a config without NIC names gets.
 */
export function localSource(role: NicRole, local: NodeInfo, options: HeartbeatProbeOptions): string | undefined {
  const nic = local.nics[role];
  const chosen = options.sourceInterfaces[role] ?? (nic?.name ? nic.name : nic?.address);
  return chosen === undefined || chosen === '' ? undefined : chosen;
}

export function planLink(role: NicRole, local: NodeInfo, options: HeartbeatProbeOptions): LinkPlan {
  const source = localSource(role, local, options);
  const parsed = pingProbeOptions.safeParse({ nic: role, dimension: options.dimension, ...(source === undefined ? {} : { sourceInterface: source }) });
  if (parsed.success) return { role, ping: parsed.data, localName: local.name };
  return { role, problem: `local ${role} interface ${JSON.stringify(source)} of ${local.name} cannot be given to ping -I; set nodes.${local.name}.nics.${role}.name or options.sourceInterfaces.${role}` };
}

/** One echo to the peer on one network, within `budgetMs`. Never throws for what ping answers. */
export async function pingLink(runner: CommandRunner, plan: LinkPlan, peer: NodeInfo, budgetMs: number, signal: AbortSignal): Promise<LinkResult> {
  if ('problem' in plan) return { role: plan.role, state: 'unclear', code: 'config-error', reason: plan.problem };
  const address = peer.nics[plan.role]?.address;
  if (!address) return { role: plan.role, state: 'unclear', code: 'config-error', reason: `node ${peer.name} has no ${plan.role} NIC; add nodes.${peer.name}.nics.${plan.role}` };
  const where = `${plan.role} ${peer.name} ${address}${plan.ping.sourceInterface ? ` via ${plan.ping.sourceInterface}` : ''}`;
  const result = await runner.run(pingSpec(address, plan.ping, budgetMs, signal));
  const verdict = classifyPing(where, result, budgetMs);
  // probe-ping's fix names its own option; say where this plugin takes the interface from.
  const hint = verdict.code === 'config-error' ? ` (probe-heartbeat sends from nodes.${plan.localName}.nics.${plan.role}.name, or options.sourceInterfaces.${plan.role})` : '';
  return { role: plan.role, state: STATE[verdict.code] ?? 'unclear', code: verdict.code, reason: `${verdict.reason}${hint}` };
}

/** Echoes on several networks at once, one shared budget: the answer takes as long as the slowest link, not their sum. */
export function pingLinks(runner: CommandRunner, plans: readonly LinkPlan[], peer: NodeInfo, budgetMs: number, signal: AbortSignal): Promise<LinkResult[]> {
  return Promise.all(plans.map((plan) => pingLink(runner, plan, peer, budgetMs, signal)));
}
