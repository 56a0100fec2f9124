/**
 * Reservation keys: 8 bytes, the top 2 the node id, the low 6 the lease epoch.
 *
 * Putting the epoch in the key is what lets any node read, from the device
 * alone, which registration is newer: a fencer holding epoch 7 must never
 * preempt a key carrying epoch 9. The node id makes "whose key is this"
 * answerable without a side table, so `status` works from any node.
 */

export const EPOCH_BITS = 48n;
export const EPOCH_MAX = Number((1n << EPOCH_BITS) - 1n);
export const NODE_ID_MAX = 0xffff;

export interface DecodedKey {
  readonly nodeId: number;
  readonly epoch: number;
}

/**
 * A stable 16-bit id from a node name (FNV-1a, folded), never 0: a node id of
 * 0 with epoch 0 would give key 0, which SCSI reads as "no key" (unregister).
 */
export function hashNodeId(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return ((h >>> 16) ^ (h & 0xffff)) || 1;
}

export function encodeKey(nodeId: number, epoch: number): bigint {
  if (!Number.isInteger(nodeId) || nodeId < 1 || nodeId > NODE_ID_MAX) throw new RangeError(`node id ${nodeId} is outside 1..${NODE_ID_MAX}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} does not fit in 48 bits`);
  return (BigInt(nodeId) << EPOCH_BITS) | BigInt(epoch);
}

export function decodeKey(key: bigint): DecodedKey {
  return { nodeId: Number(key >> EPOCH_BITS), epoch: Number(key & ((1n << EPOCH_BITS) - 1n)) };
}

/** The form passed to sg_persist: 0x and 16 hex digits (sg_persist itself prints keys without leading zeros). */
export function formatKey(key: bigint): string {
  return `0x${key.toString(16).padStart(16, '0')}`;
}

/** Which node ids belong to which node names, checked for collisions once. */
export class KeyScheme {
  private readonly idByName = new Map<string, number>();
  private readonly nameById = new Map<number, string>();
  /** Set when two nodes would share an id: every call then answers config-error with it. */
  readonly problem: string | undefined;

  constructor(nodeNames: readonly string[], configured: Readonly<Record<string, number>> = {}) {
    const clashes: string[] = [];
    for (const name of new Set([...nodeNames, ...Object.keys(configured)])) {
      const id = configured[name] ?? hashNodeId(name);
      const other = this.nameById.get(id);
      if (other !== undefined) clashes.push(`${other} and ${name} both get node id ${id}`);
      this.idByName.set(name, id);
      this.nameById.set(id, name);
    }
    this.problem =
      clashes.length === 0 ? undefined : `fence-scsi-pr: ${clashes.join('; ')}; give them distinct ids under options.nodeIds (1..${NODE_ID_MAX}), e.g. { ${nodeNames.map((n, i) => `${n}: ${i + 1}`).join(', ')} }`;
  }

  idOf(name: string): number {
    return this.idByName.get(name) ?? hashNodeId(name);
  }

  keyOf(name: string, epoch: number): bigint {
    return encodeKey(this.idOf(name), epoch);
  }

  /** "db2 epoch 7", or "node id 0x1234 (not in the config) epoch 7" for a key this cluster did not make. */
  describe(key: bigint): string {
    const { nodeId, epoch } = decodeKey(key);
    const name = this.nameById.get(nodeId);
    return `${formatKey(key)} (${name ?? `node id ${nodeId}, not a configured node`}, epoch ${epoch})`;
  }

  ownerOf(key: bigint): string | undefined {
    return this.nameById.get(decodeKey(key).nodeId);
  }
}
