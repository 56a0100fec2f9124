/** The NIC roles every Tandem host has. `privateA`/`privateB` carry the heartbeat. */
export type NicRole = 'public' | 'storage' | 'privateA' | 'privateB';
export const NIC_ROLES: readonly NicRole[] = ['public', 'storage', 'privateA', 'privateB'];

export interface NicInfo {
  /** Interface name on that host (`eth0`, `ens1f0`); may differ from node to node. Empty when the config leaves it to be found by address. */
  readonly name: string;
  /** IPv4 address without prefix. */
  readonly address: string;
  readonly prefixLength: number;
}

/** A cluster member as plugins see it: read-only, resolved from the config. */
export interface NodeInfo {
  readonly name: string;
  readonly nics: Readonly<Partial<Record<NicRole, NicInfo>>>;
  /** Address of the node's management controller (BMC), if any. */
  readonly management?: string;
}
