import { demoteResources, memberTtlMs, type AgentLoop, type Clock, type Composition, type CoordinationStore, type Logger, type NodeMemory, type Timing } from '@tandem/core';

/**
 * What a stopping agent does with its role. A primary demotes its resources
 * and releases the lease, so that a replica takes over at once and without
 * fencing it. In maintenance mode it leaves everything running: that is how an
 * operator restarts or upgrades the agent without touching the database.
 * `leaseToken` is the token the agent's executor holds the lease under
 * (`ActionExecutor.leaseToken`): the store releases a lease only to the
 * process that holds it.
 */
export async function handOverOnStop(
  parts: { loop: AgentLoop; store: CoordinationStore; clock: Clock; logger: Logger; composition: Pick<Composition, 'resources'>; timing: Timing; node: string; leaseToken: string; memory?: NodeMemory },
): Promise<'handed-over' | 'left-running' | 'nothing-to-do'> {
  const s = parts.loop.status();
  if (!s.writing || s.epoch === undefined) return 'nothing-to-do';
  // Unknown settings count as "not in maintenance": handing over is the safe default for a stopping primary.
  const settings = await parts.store.readSettings().catch(() => undefined);
  if (settings?.maintenance === true) {
    parts.logger.warn({ node: parts.node, epoch: s.epoch }, 'maintenance mode: stopping the agent but leaving the resources running');
    return 'left-running';
  }
  const demoted = await demoteResources(parts.clock, parts.composition.resources, s.epoch, parts.timing.actionTimeoutMs);
  if (demoted.code !== 'ok') {
    // Keep the lease: releasing it while still writing would invite a second writer; the next primary fences this node.
    parts.logger.error({ node: parts.node, epoch: s.epoch }, `stopping: demote failed (${demoted.reason}); keeping the lease until it lapses`);
    return 'left-running';
  }
  // If the store is away the lease simply lapses and the next primary fences this node: say so, do not hide it.
  const warn = (what: string) => (error: unknown): false => {
    parts.logger.warn({ node: parts.node, epoch: s.epoch }, `stopping: ${what} failed (${error instanceof Error ? error.message : String(error)}); the next primary will fence this node`);
    return false;
  };
  await parts.store.heartbeat({ node: parts.node, role: 'replica', epoch: s.epoch, facts: {}, updatedAtWallMs: parts.clock.wallMs() }, memberTtlMs(parts.timing)).catch(warn('reporting replica'));
  const released = await parts.store.releaseLease(parts.node, s.epoch, parts.leaseToken).catch(warn('releasing the lease'));
  // Handed over like a switchover: the database stopped cleanly, so this node follows the next primary without a
  // rewind. Only when the lease went back: otherwise the next primary fences it and it must rejoin.
  if (released === true) await markCleanReplica(parts);
  parts.logger.info({ node: parts.node, epoch: s.epoch, released }, `stopping: resources demoted${released ? ', lease released' : ''}`);
  return 'handed-over';
}

async function markCleanReplica(parts: { memory?: NodeMemory; logger: Logger; node: string }): Promise<void> {
  const m = parts.memory;
  if (m === undefined) return;
  try {
    await m.update({ rejoinedEpoch: m.current().promotedEpoch });
  } catch (error) {
    // Not a safety problem: the node only looks stale and waits for `tandem rejoin --data`; the operator must hear it.
    parts.logger.warn({ node: parts.node }, `stopping: could not record the clean hand-over on disk (${error instanceof Error ? error.message : String(error)}); this node will ask for a rejoin`);
  }
}
