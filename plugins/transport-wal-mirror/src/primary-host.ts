import { outcome, type CallContext, type NicRole, type NodeInfo, type Outcome } from '@tandem/core';
import type { WalMirrorOptions } from './options.js';

/**
 * The address to stream from, in this order: options.primaryHost; the
 * primary the caller names (a `primary` on the call context, as resource
 * agents get it; transports get it once the HA cycle passes it on); the
 * only other node of a two-node cluster. Otherwise a config error.
 */
export function primaryHostFor(options: WalMirrorOptions, self: NodeInfo, nodes: readonly NodeInfo[], ctx: CallContext): string | Outcome {
  if (options.primaryHost !== undefined) return options.primaryHost;
  const named = (ctx as CallContext & { readonly primary?: NodeInfo }).primary;
  const others = nodes.filter((n) => n.name !== self.name);
  const primary = named !== undefined && named.name !== self.name ? named : others.length === 1 ? others[0] : undefined;
  if (primary === undefined) {
    return outcome('config-error', `cannot tell which node is the primary among ${others.map((n) => n.name).join(', ') || 'no other node'}; set options.primaryHost`);
  }
  const address = primary.nics[options.replicationNic as NicRole]?.address;
  if (address) return address;
  return outcome('config-error', `node ${primary.name} has no ${options.replicationNic} NIC to stream WAL from; add nodes.${primary.name}.nics.${options.replicationNic} or set options.replicationNic / options.primaryHost`);
}
