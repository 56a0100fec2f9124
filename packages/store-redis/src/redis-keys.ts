/**
 * Every key the store touches, under one prefix so several clusters can
 * share a Redis. The member keys are computed inside a Lua script from the
 * prefix, so this store is for standalone and Sentinel setups, not Redis
 * Cluster (whose scripts must name every key up front).
 */
export interface RedisKeys {
  /** Hash {holder, epoch} with a PEXPIRE ttl: present means held. */
  readonly lease: string;
  /** Integer counter, never expires, only INCR'd: the last epoch granted. */
  readonly epoch: string;
  /** Hash {node, epoch, at_wall_ms}, no TTL: the last recorded promotion; only ever replaced by a higher epoch. */
  readonly primary: string;
  readonly identity: string;
  /** String (JSON MemberRecord) per node, with a PX ttl: `${memberPrefix}${node}`. */
  readonly memberPrefix: string;
  /** Set of node names that heartbeated; pruned when a member key is found gone. */
  readonly memberIndex: string;
  /** Hash {maintenance: '0'|'1', request: JSON, request_id}. */
  readonly settings: string;
  /** Stream, one field `event` (JSON without id), trimmed to eventsMax. */
  readonly events: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    lease: `${prefix}lease`,
    epoch: `${prefix}epoch`,
    primary: `${prefix}primary`,
    identity: `${prefix}identity`,
    memberPrefix: `${prefix}member:`,
    memberIndex: `${prefix}members`,
    settings: `${prefix}settings`,
    events: `${prefix}events`,
  };
}
