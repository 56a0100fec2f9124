import type { CommandSpec } from '@tandem/core';
import { formatKey } from './pr-key.js';

/** The PR requests this plugin sends. */
export type PrRequest =
  | { readonly kind: 'read-keys' }
  | { readonly kind: 'read-reservation' }
  /** REGISTER AND IGNORE EXISTING KEY: sets this initiator's key to `key` whatever it was. */
  | { readonly kind: 'register-ignore'; readonly key: bigint }
  /** REGISTER with service-action key 0: drops this initiator's registration (and the reservation if it held it). */
  | { readonly kind: 'unregister'; readonly key: bigint }
  | { readonly kind: 'reserve'; readonly key: bigint; readonly type: number }
  /**
   * PREEMPT AND ABORT: removes every registration with `victim` (and takes the
   * reservation when `victim` holds it). The abort also drops the victim's
   * commands still queued at the target, so a write it sent before the fence
   * cannot land after it.
   */
  | { readonly kind: 'preempt-abort'; readonly key: bigint; readonly victim: bigint; readonly type: number };

/**
 * The sg_persist argv for one request on one device. `--no-inquiry` skips the
 * INQUIRY sent before every command (one round trip less, and less text to
 * read). The device goes last, after every option.
 */
export function sgPersistArgs(request: PrRequest, device: string): string[] {
  const base = request.kind === 'read-keys' || request.kind === 'read-reservation' ? ['--in', '--no-inquiry'] : ['--out', '--no-inquiry'];
  switch (request.kind) {
    case 'read-keys':
      return [...base, '--read-keys', device];
    case 'read-reservation':
      return [...base, '--read-reservation', device];
    case 'register-ignore':
      return [...base, '--register-ignore', `--param-sark=${formatKey(request.key)}`, device];
    case 'unregister':
      return [...base, '--register', `--param-rk=${formatKey(request.key)}`, '--param-sark=0', device];
    case 'reserve':
      return [...base, '--reserve', `--param-rk=${formatKey(request.key)}`, `--prout-type=${request.type}`, device];
    case 'preempt-abort':
      return [...base, '--preempt-abort', `--param-rk=${formatKey(request.key)}`, `--param-sark=${formatKey(request.victim)}`, `--prout-type=${request.type}`, device];
  }
}

export function sgPersistSpec(request: PrRequest, device: string, timeoutMs: number, signal: AbortSignal): CommandSpec {
  return { file: 'sg_persist', args: sgPersistArgs(request, device), timeoutMs, signal, readOnly: request.kind === 'read-keys' || request.kind === 'read-reservation' };
}

/**
 * sg_persist's exit statuses (sg3-utils' SG_LIB_CAT_* values) that change
 * what we do: 24 reservation conflict (this initiator may not do that now),
 * 5 illegal request (the device does not support PR, or this type), 6 unit
 * attention (a reservation changed; the next try normally passes), 15 the
 * device could not be opened.
 */
export const SG_EXIT = { illegalRequest: 5, unitAttention: 6, fileError: 15, reservationConflict: 24 } as const;
