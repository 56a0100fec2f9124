/** Default bound on the event history when a store is not told otherwise (matches the redis config default). */
export const DEFAULT_EVENTS_MAX = 10_000;

/** Largest page `readEvents` returns, whatever `limit` asks for, so one call cannot pull the whole history. */
export const EVENTS_READ_LIMIT_MAX = 1000;

/** Page size when `readEvents` is called without `limit`. */
export const DEFAULT_EVENTS_READ_LIMIT = 100;

/**
 * A ttl must be a positive whole number of ms: a zero or negative ttl would
 * grant a lease that is already over, which is always a caller bug.
 */
export function assertTtlMs(ttlMs: number, what: string): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${what}: ttlMs must be a positive integer, got ${String(ttlMs)}`);
  }
}

/** Clamp a requested page size into 1..EVENTS_READ_LIMIT_MAX. */
export function eventsPageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EVENTS_READ_LIMIT;
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.floor(limit), EVENTS_READ_LIMIT_MAX);
}

/** Largest member record (its JSON, UTF-8 bytes) a heartbeat may write; a larger one read back is skipped. */
export const MEMBER_RECORD_BYTES_MAX = 64 * 1024;

/** Largest event message (UTF-8 bytes) appendEvent accepts. */
export const EVENT_MESSAGE_BYTES_MAX = 8 * 1024;

/** Largest event `data` (its JSON, UTF-8 bytes) appendEvent accepts. */
export const EVENT_DATA_BYTES_MAX = 32 * 1024;

/** Largest stored event (the whole record as stored) a read accepts; anything larger was not written by us and is skipped. */
export const EVENT_RECORD_BYTES_MAX = 64 * 1024;

/** Refuse a member record too large to store, before anything is written. */
export function assertMemberRecordFits(recordJson: string, node: string): void {
  const bytes = Buffer.byteLength(recordJson, 'utf8');
  if (bytes > MEMBER_RECORD_BYTES_MAX) {
    throw new RangeError(`heartbeat: the member record of ${node} is ${bytes} bytes of JSON, over the ${MEMBER_RECORD_BYTES_MAX}-byte limit; publish fewer or shorter facts`);
  }
}

/** Refuse an event whose message or data is too large to store, before anything is written. */
export function assertEventFits(event: { readonly type: string; readonly message: string; readonly data?: unknown }): void {
  const messageBytes = Buffer.byteLength(event.message, 'utf8');
  if (messageBytes > EVENT_MESSAGE_BYTES_MAX) {
    throw new RangeError(`appendEvent: the message of a ${event.type} event is ${messageBytes} bytes, over the ${EVENT_MESSAGE_BYTES_MAX}-byte limit; shorten it (keep the tail of command output, not all of it)`);
  }
  const dataBytes = event.data === undefined ? 0 : Buffer.byteLength(JSON.stringify(event.data), 'utf8');
  if (dataBytes > EVENT_DATA_BYTES_MAX) {
    throw new RangeError(`appendEvent: the data of a ${event.type} event is ${dataBytes} bytes of JSON, over the ${EVENT_DATA_BYTES_MAX}-byte limit`);
  }
}
