import { parseEventJson, parseMemberRecord } from '@tandem/core';
import type { ClusterIdentity, ClusterSettings, Lease, LeaseResult, Member, OperatorRequest, PrimaryRecord, StoredEvent } from '@tandem/core';

/*
 * Turning script and command replies (RESP2: arrays, strings, integers,
 * nulls) into the store's values. A reply of the wrong shape is a bug; it
 * throws rather than guessing. A member record or event that another
 * process wrote badly is one bad key, not a broken store: it is skipped and
 * reported through `skips`, so the other records still read.
 */

/** Told about each record skipped (its key and why) and each that parsed (so a key that heals is forgotten). */
export interface RecordSkips {
  skipped(key: string, reason: string): void;
  parsed(key: string): void;
}

const NO_SKIPS: RecordSkips = { skipped: () => undefined, parsed: () => undefined };

function shapeError(what: string, reply: unknown): Error {
  return new Error(`unexpected redis reply for ${what}: ${JSON.stringify(reply)}`);
}

/** {granted, holder|null, epoch, pttl} from the lease scripts; the acquire script adds {.., heldByOtherProcess 0|1}. */
export function parseLeaseReply(reply: unknown): { granted: boolean; lease: Lease | undefined; heldByOtherProcess: boolean } {
  if (!Array.isArray(reply) || (reply.length !== 4 && reply.length !== 5)) throw shapeError('lease script', reply);
  const [granted, holder, epoch, pttl, other] = reply as [unknown, unknown, unknown, unknown, unknown];
  if (other !== undefined && other !== 0 && other !== 1) throw shapeError('lease script', reply);
  if (holder === null || holder === undefined) return { granted: false, lease: undefined, heldByOtherProcess: false };
  if (typeof holder !== 'string' || typeof epoch !== 'number' || typeof pttl !== 'number') throw shapeError('lease script', reply);
  // PTTL can read 0 or below in the last millisecond; a lease with no time left is not a lease.
  if (pttl <= 0) return { granted: false, lease: undefined, heldByOtherProcess: false };
  return { granted: granted === 1, lease: { holder, epoch, remainingMs: pttl }, heldByOtherProcess: granted !== 1 && other === 1 };
}

export function leaseResultFrom(reply: unknown): LeaseResult {
  const { granted, lease, heldByOtherProcess } = parseLeaseReply(reply);
  if (granted && lease !== undefined) return { acquired: true, lease };
  return heldByOtherProcess ? { acquired: false, current: lease, heldByOtherProcess: true } : { acquired: false, current: lease };
}

/** 1 or 0 from the record-primary script. */
export function parseRecordPrimaryReply(reply: unknown): boolean {
  if (reply !== 0 && reply !== 1) throw shapeError('record-primary script', reply);
  return reply === 1;
}

/** HMGET cluster_id, cluster, created_at_wall_ms of the identity hash: undefined when absent, a shape error when partial. */
export function parseIdentityReply(reply: unknown): ClusterIdentity | undefined {
  if (!Array.isArray(reply) || reply.length !== 3) throw shapeError('cluster identity', reply);
  if (reply.every((field) => field === null)) return undefined;
  const [clusterId, cluster, createdAt] = reply as [unknown, unknown, unknown];
  if (typeof clusterId !== 'string' || clusterId === '' || typeof cluster !== 'string' || !isText(createdAt, /^-?\d+(\.\d+)?$/)) throw shapeError('cluster identity', reply);
  return { clusterId, cluster, createdAtWallMs: Number(createdAt) };
}

/** HMGET primary node epoch at_wall_ms sole_copy: all null before the first record; anything partial or non-numeric is not ours. */
export function parsePrimaryReply(reply: unknown): PrimaryRecord | undefined {
  if (!Array.isArray(reply) || reply.length !== 4) throw shapeError('primary record', reply);
  if (reply.every((field) => field === null)) return undefined;
  const [node, epoch, atWallMs, soleCopy] = reply as [unknown, unknown, unknown, unknown];
  // sole_copy is absent from records written before it existed: those never acknowledged alone.
  const wellFormed = typeof node === 'string' && node !== '' && isText(epoch, /^\d+$/) && isText(atWallMs, /^-?\d+(\.\d+)?$/) && (soleCopy === null || isText(soleCopy, /^[01]$/));
  if (!wellFormed) throw shapeError('primary record', reply);
  return { node, epoch: Number(epoch), atWallMs: Number(atWallMs), ...(soleCopy === '1' ? { soleCopy: true } : {}) };
}

function isText(field: unknown, pattern: RegExp): field is string {
  return typeof field === 'string' && pattern.test(field);
}

/** The members script's flat [node, record JSON, pttl, ...]; `keyOf` names a member's key in skip reports. */
export function parseMembers(reply: unknown, keyOf: (node: string) => string = (n) => n, skips: RecordSkips = NO_SKIPS): Member[] {
  if (!Array.isArray(reply) || reply.length % 3 !== 0) throw shapeError('members script', reply);
  const members: Member[] = [];
  for (let i = 0; i < reply.length; i += 3) {
    const [node, json, pttl] = [reply[i], reply[i + 1], reply[i + 2]];
    if (typeof node !== 'string' || typeof json !== 'string' || typeof pttl !== 'number') throw shapeError('members script', reply);
    const parsed = parseMemberRecord(node, json);
    if (!parsed.ok) {
      skips.skipped(keyOf(node), parsed.reason);
      continue;
    }
    skips.parsed(keyOf(node));
    members.push({ ...parsed.value, remainingMs: pttl });
  }
  return members.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** A flat HGETALL-style list of the settings hash. */
export function parseSettings(reply: unknown): ClusterSettings {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw shapeError('settings', reply);
  const fields = new Map<string, string>();
  for (let i = 0; i < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
  const maintenance = fields.get('maintenance') === '1';
  const request = fields.get('request');
  return request === undefined ? { maintenance } : { maintenance, request: JSON.parse(request) as OperatorRequest };
}

/** The settings hash as an object reply (HGETALL through ioredis). */
export function settingsFromHash(hash: Record<string, string>): ClusterSettings {
  return parseSettings(Object.entries(hash).flat());
}

/** XRANGE entries: [[id, [field, value, ...]], ...]. */
export function parseEvents(reply: unknown, keyOf: (id: string) => string = (id) => id, skips: RecordSkips = NO_SKIPS): StoredEvent[] {
  if (!Array.isArray(reply)) throw shapeError('XRANGE', reply);
  const events: StoredEvent[] = [];
  for (const entry of reply as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw shapeError('XRANGE entry', entry);
    const id = entry[0];
    const fields = entry[1] as unknown[];
    const at = fields.indexOf('event');
    const json = at < 0 ? undefined : fields[at + 1];
    const parsed = typeof json === 'string' ? parseEventJson(json) : { ok: false as const, reason: 'no event field' };
    if (!parsed.ok) skips.skipped(keyOf(id), parsed.reason);
    else events.push({ ...parsed.value, id });
  }
  return events;
}
