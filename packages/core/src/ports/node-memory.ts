/**
 * What a node remembers about itself across restarts of its agent, kept on
 * its own disk beside its state (never in the shared store, which can be
 * replaced or come back empty).
 */
export interface NodeRecord {
  /** Epoch of this node's last promotion (0 if never). Written before its resources are promoted. */
  readonly promotedEpoch: number;
  /**
   * Epoch under which this node last became a clean replica of another
   * primary: a completed rejoin, or a planned switchover's demotion. A node
   * with `promotedEpoch > rejoinedEpoch` that is not the last recorded
   * primary may hold writes nobody else has, or lack some: it must rejoin
   * before it stands for election.
   */
  readonly rejoinedEpoch: number;
  /**
   * The highest lease epoch this node has seen in the store. Epochs never go
   * back: a store that grants this epoch or a lower one again was restarted
   * empty or replaced, and its grant is refused.
   */
  readonly highestEpoch: number;
  /** The store identity this node first joined; a store with another one is not its cluster's. */
  readonly clusterId?: string;
}

export const EMPTY_NODE_RECORD: NodeRecord = Object.freeze({ promotedEpoch: 0, rejoinedEpoch: 0, highestEpoch: 0 });

/**
 * The node's own durable memory. `current` is synchronous (the HA cycle
 * reads it into every snapshot); `update` resolves once the change is
 * durable (fsynced) and rejects when it is not: a promotion that cannot
 * remember it happened does not go ahead.
 */
export interface NodeMemory {
  current(): NodeRecord;
  update(patch: Partial<NodeRecord>): Promise<NodeRecord>;
}

export const NodeMemory: unique symbol = Symbol.for('tandem.NodeMemory');

/** Memory that lives as long as the object: for tests and the simulation (which keeps one per simulated disk). */
export class InMemoryNodeMemory implements NodeMemory {
  private record: NodeRecord;

  constructor(initial: NodeRecord = EMPTY_NODE_RECORD) {
    this.record = initial;
  }

  current(): NodeRecord {
    return this.record;
  }

  async update(patch: Partial<NodeRecord>): Promise<NodeRecord> {
    this.record = { ...this.record, ...patch };
    return this.record;
  }
}
