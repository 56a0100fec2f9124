import type { MemberRecord, NewEvent, SkippedRecord } from '../ports/coordination-store.js';
import { EVENT_RECORD_BYTES_MAX, MEMBER_RECORD_BYTES_MAX } from './store-limits.js';

/*
 * Reading records that other processes wrote, one by one. A record that is
 * not JSON, has the wrong shape, is oversize, or (for a member) claims a
 * node other than the one its key names, is reported with a reason instead
 * of failing the whole read: one bad key must not make the store look
 * unreachable to every agent.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ROLES: ReadonlySet<string> = new Set(['primary', 'replica', 'candidate', 'fenced', 'stopped', 'unknown']);

function fail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

function parseJsonObject(text: string, bytesMax: number): Parsed<Record<string, unknown>> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > bytesMax) return fail(`${bytes} bytes, over the ${bytesMax}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`not JSON: ${preview(text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`not a JSON object: ${preview(text)}`);
  return { ok: true, value: value as Record<string, unknown> };
}

function isFacts(value: unknown): value is MemberRecord['facts'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

/** The member record stored under the key of `keyNode`: its identity is the key's, and a record claiming another node is refused. */
export function parseMemberRecord(keyNode: string, json: string): Parsed<MemberRecord> {
  const parsed = parseJsonObject(json, MEMBER_RECORD_BYTES_MAX);
  if (!parsed.ok) return parsed;
  const r = parsed.value;
  if (r['node'] !== keyNode) return fail(`the record claims node ${JSON.stringify(r['node'])}, not ${JSON.stringify(keyNode)} as its key says`);
  if (typeof r['role'] !== 'string' || !ROLES.has(r['role'])) return fail(`role is not one of ${[...ROLES].join('|')}: ${JSON.stringify(r['role'])}`);
  if (!Number.isSafeInteger(r['epoch']) || (r['epoch'] as number) < 0) return fail(`epoch is not a non-negative integer: ${JSON.stringify(r['epoch'])}`);
  if (!isFacts(r['facts'])) return fail('facts is not an object of strings, numbers, booleans and nulls');
  if (typeof r['updatedAtWallMs'] !== 'number' || !Number.isFinite(r['updatedAtWallMs'])) return fail(`updatedAtWallMs is not a number: ${JSON.stringify(r['updatedAtWallMs'])}`);
  // Other fields a newer agent may add are kept; the ones checked above are set from what was checked.
  return { ok: true, value: { ...r, node: keyNode, role: r['role'] as MemberRecord['role'], epoch: r['epoch'] as number, facts: r['facts'], updatedAtWallMs: r['updatedAtWallMs'] } };
}

/** An event stored whole as JSON (the Redis stream's `event` field). */
export function parseEventJson(json: string): Parsed<NewEvent> {
  const parsed = parseJsonObject(json, EVENT_RECORD_BYTES_MAX);
  if (!parsed.ok) return parsed;
  return checkEvent(parsed.value);
}

/** An event whose fields are columns (the embedded store); `dataJson` is the data column. */
export function parseEventColumns(row: { readonly atWallMs: unknown; readonly node: unknown; readonly type: unknown; readonly message: unknown; readonly dataJson: unknown }): Parsed<NewEvent> {
  const fields: Record<string, unknown> = { atWallMs: row.atWallMs, node: row.node, type: row.type, message: row.message };
  if (row.dataJson === null || row.dataJson === undefined) return checkEvent(fields);
  if (typeof row.dataJson !== 'string') return fail('data is not text');
  const data = parseJsonObject(row.dataJson, EVENT_RECORD_BYTES_MAX);
  if (!data.ok) return fail(`data: ${data.reason}`);
  return checkEvent({ ...fields, data: data.value });
}

function checkEvent(e: Record<string, unknown>): Parsed<NewEvent> {
  if (typeof e['atWallMs'] !== 'number' || !Number.isFinite(e['atWallMs'])) return fail(`atWallMs is not a number: ${JSON.stringify(e['atWallMs'])}`);
  for (const field of ['node', 'type', 'message'] as const) {
    if (typeof e[field] !== 'string') return fail(`${field} is not a string: ${e[field] === undefined ? 'missing' : JSON.stringify(e[field])}`);
  }
  const size = Buffer.byteLength(String(e['message']), 'utf8') + Buffer.byteLength(JSON.stringify(e['data'] ?? null), 'utf8');
  if (size > EVENT_RECORD_BYTES_MAX) return fail(`${size} bytes, over the ${EVENT_RECORD_BYTES_MAX}-byte limit`);
  const data = e['data'];
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) return fail('data is not an object');
  const event: NewEvent = { atWallMs: e['atWallMs'], node: e['node'] as string, type: e['type'] as string, message: e['message'] as string };
  return data === undefined ? { ok: true, value: event } : { ok: true, value: { ...event, data: data as Record<string, unknown> } };
}

function preview(text: string): string {
  const head = JSON.stringify(text.slice(0, 40));
  return text.length > 40 ? `${head}...` : head;
}

/** Keys kept at most: a store full of bad keys must not grow this without bound. */
const SKIPPED_KEYS_MAX = 1000;

/**
 * What a store skipped, each key reported once: `note` on every read that
 * skips it, `take` hands out the keys not reported before. A key that parses
 * again is forgotten (`clear`), so if it breaks once more it is reported again.
 */
export class SkippedRecords {
  private readonly reported = new Set<string>();
  private pending: SkippedRecord[] = [];

  note(key: string, reason: string): void {
    if (this.reported.has(key)) return;
    // Past the bound the oldest key is forgotten (a Set keeps insertion order); if it is still bad it is reported again, once.
    if (this.reported.size >= SKIPPED_KEYS_MAX) this.reported.delete(this.reported.values().next().value as string);
    this.reported.add(key);
    if (this.pending.length >= SKIPPED_KEYS_MAX) this.pending.shift();
    this.pending.push({ key, reason });
  }

  clear(key: string): void {
    this.reported.delete(key);
  }

  take(): readonly SkippedRecord[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
