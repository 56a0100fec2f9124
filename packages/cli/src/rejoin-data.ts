import { randomUUID } from 'node:crypto';
import { TandemError, type Clock, type CoordinationStore, type StoredEvent } from '@tandem/core';
import { pollUntil } from './poll.js';

export interface DataRejoin {
  /** True when the node's agent reported the rejoin done. */
  readonly ok: boolean;
  /** What the agent reported (per resource: rewound or re-copied, how long). */
  readonly reason: string;
}

/**
 * The data half of a rejoin: ask the node's own agent (through the store) to
 * rewind or re-copy its resources from the current primary and follow it,
 * then wait for its report. The agent does it so that nothing else starts
 * the database while it is being rewound.
 */
export async function requestDataRejoin(store: CoordinationStore, clock: Clock, target: string, timeoutMs: number): Promise<DataRejoin> {
  const lease = await store.readLease();
  if (lease === undefined) throw new TandemError('preconditionFailed', 'no node holds the primary lease: there is nothing to rejoin to', { problems: [{ path: 'lease', message: 'none', fix: 'wait for a primary (tandem status), then run rejoin again' }] });
  const id = randomUUID();
  // Read from the end of the event history as it is now: the report will come after it.
  let after = (await store.readEvents({ limit: 100_000 })).at(-1)?.id;
  await store.updateSettings({ request: { id, kind: 'rejoin', target, requestedAtWallMs: clock.wallMs() } });
  let seen: StoredEvent | undefined;
  await pollUntil(`the rejoin of ${target}`, timeoutMs, 500, async () => {
    const events = await store.readEvents({ ...(after === undefined ? {} : { after }), limit: 1000 });
    after = events.at(-1)?.id ?? after;
    seen = events.find((e) => e.node === target && (e.type === 'action.rejoin' || e.type === 'alert.rejoin-failed'));
    return seen;
  }, () => ({ path: 'NODE', message: `${target}'s agent has not reported the rejoin yet`, fix: `is its agent running? see \`tandem events\` and ${target}'s agent log` }));
  const event = seen as StoredEvent;
  return { ok: event.type === 'action.rejoin' && / ok \(/.test(event.message), reason: event.message };
}
