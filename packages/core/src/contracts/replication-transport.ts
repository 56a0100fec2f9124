import type { CallContext, Outcome } from './outcome.js';
import type { NodeInfo } from './node-info.js';

/**
 * A point in a replicated stream. `offset` orders positions (PostgreSQL LSN as
 * a byte number, a block sequence, an order number); it is a JS number, so a
 * transport must keep offsets below 2^53. `label` is the form an operator
 * knows (`0/3000060`).
 */
export interface StreamPosition {
  readonly offset: number;
  readonly label: string;
}

export interface TransportStatus {
  /** What this transport does on this node right now. */
  readonly role: 'source' | 'sink' | 'idle';
  /** Newest position durably stored by the sink (acknowledged writes are at or below it). */
  readonly flushed?: StreamPosition;
  /** Newest position the consumer (database replay) has applied, when known. */
  readonly applied?: StreamPosition;
  /** `flushed - applied`, in bytes or units of `offset`. */
  readonly lag?: number;
}

/** What a sink holds beyond what the candidate's consumer has applied. */
export interface InFlight {
  readonly from: StreamPosition;
  readonly to: StreamPosition;
  /** Where the data can be read from on the candidate (a directory, a device). */
  readonly location: string;
}

/**
 * Moves writes or log from the primary to peers and says how far it got.
 *
 * - `start`/`stop` are idempotent: starting a started transport and stopping a
 *   stopped one return `ok`.
 * - `status` has no side effects. `not-running` when stopped.
 * - `inFlight` reports, on a candidate, what the sink holds that the local
 *   consumer has not applied; recovery strategies replay it. It must not
 *   need the (possibly dead) primary. `failed` if the sink is unreadable: the
 *   core then refuses a zero-loss promotion.
 * - The caller enforces `ctx.timeoutMs`.
 */
/** What `start` gets: on a replica, the node whose log to copy. */
export interface TransportStartContext extends CallContext {
  /** The current primary, when one holds the lease (the HA cycle's follow step passes it). */
  readonly primary?: NodeInfo;
}

export interface ReplicationTransport {
  readonly defaultTimeoutMs: number;
  start(ctx: TransportStartContext): Promise<Outcome>;
  /**
   * Optional, with `stopSource`: what the primary's own writes need from
   * this transport. The core calls it on the node being promoted (and before
   * a group restart), after the transports were stopped and before any
   * resource starts. A block-level mirror assembles and mounts the array
   * pg_wal lives on here; a transport that only runs on replicas
   * (pg_receivewal) leaves both out. Idempotent. A failure fails the
   * promotion: no resource starts without it.
   */
  startSource?(ctx: CallContext): Promise<Outcome>;
  /**
   * Undo `startSource` only (a sink role, if any, is left alone). The core
   * calls it after demoting the resources, so a database has stopped writing
   * before its mirrored pg_wal is released. Idempotent: `ok` when nothing
   * of the primary's side is set up.
   */
  stopSource?(ctx: CallContext): Promise<Outcome>;
  stop(ctx: CallContext): Promise<Outcome>;
  status(ctx: CallContext): Promise<Outcome<TransportStatus>>;
  inFlight(ctx: CallContext): Promise<Outcome<InFlight>>;
  /**
   * Optional: could this node hand over what is in flight if it were
   * promoted now? The eligibility check asks it before any lease is taken.
   * Without it the check reads `inFlight`, which must then be readable
   * before anyone is fenced. A transport whose in-flight range can only be
   * read after fencing and a takeover (a block mirror whose disk the
   * primary may still be writing) answers from what it sees without taking
   * over: `ok` when the takeover could run here, `failed` with the reason
   * when it could not. Read-only.
   */
  readiness?(ctx: CallContext): Promise<Outcome>;
}

export const ReplicationTransport: unique symbol = Symbol.for('tandem.ReplicationTransport');
