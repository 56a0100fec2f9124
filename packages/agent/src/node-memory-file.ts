import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EMPTY_NODE_RECORD, TandemError, type NodeMemory, type NodeRecord } from '@tandem/core';

/** A record file is a few dozen bytes; anything this large is not ours. */
const RECORD_BYTES_MAX = 4096;

/**
 * The node's durable memory in one small JSON file beside its state
 * (`<stateDir>/node-<name>.json`). Each update is written to a temporary
 * file, fsynced, renamed over the old one and the directory fsynced, so a
 * crash leaves either the old record or the new one, never half of one.
 * Reads happen once, at start: a file that cannot be parsed stops the agent
 * (guessing "never promoted" could let a stale former primary stand).
 */
export class FileNodeMemory implements NodeMemory {
  private record: NodeRecord;

  constructor(private readonly path: string) {
    this.record = readRecord(path);
  }

  static forNode(stateDir: string, node: string): FileNodeMemory {
    return new FileNodeMemory(join(stateDir, `node-${node}.json`));
  }

  current(): NodeRecord {
    return this.record;
  }

  async update(patch: Partial<NodeRecord>): Promise<NodeRecord> {
    const next: NodeRecord = { ...this.record, ...patch };
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(next)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.record = next;
    return next;
  }
}

function readRecord(path: string): NodeRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_NODE_RECORD;
    throw new TandemError('preconditionFailed', `cannot read this node's record ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = text.length <= RECORD_BYTES_MAX ? parse(text) : undefined;
  if (parsed === undefined) {
    throw new TandemError('preconditionFailed', `this node's record ${path} is not a Tandem node record; move it aside only if this node's data was re-copied from the primary (it remembers whether the node must rejoin)`);
  }
  return parsed;
}

function parse(text: string): NodeRecord | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const epoch = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
    const highest = v['highestEpoch'] ?? 0;
    const id = v['clusterId'];
    if (!epoch(v['promotedEpoch']) || !epoch(v['rejoinedEpoch']) || !epoch(highest) || !(id === undefined || typeof id === 'string')) return undefined;
    return { promotedEpoch: v['promotedEpoch'], rejoinedEpoch: v['rejoinedEpoch'], highestEpoch: highest, ...(id === undefined ? {} : { clusterId: id }) };
  } catch {
    return undefined;
  }
}
