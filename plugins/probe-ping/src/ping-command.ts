import type { CommandSpec } from '@tandem/core';
import type { PingProbeOptions } from './ping-probe-options.js';

/** The shortest wait handed to ping, in seconds; below this a healthy but busy host looks dead. */
const MIN_WAIT_S = 0.1;

/**
 * How long ping itself waits for the reply: a little less than the caller's
 * deadline, so that a silent target is reported by ping ("0 received", a
 * failure we can count) rather than by the deadline (a timeout, which the
 * core counts as unknown).
 */
export function pingWaitSeconds(timeoutMs: number): number {
  const marginMs = Math.min(500, timeoutMs / 4);
  return Math.max(MIN_WAIT_S, Math.floor((timeoutMs - marginMs) / 100) / 10);
}

/** `ping -n -c 1 -W <s> [-I <if>] <address>`: one echo, numeric output, a bounded wait. */
export function pingArgs(address: string, options: PingProbeOptions, timeoutMs: number): string[] {
  const args = ['-n', '-c', '1', '-W', String(pingWaitSeconds(timeoutMs))];
  if (options.sourceInterface !== undefined) args.push('-I', options.sourceInterface);
  args.push(address);
  return args;
}

export function pingSpec(address: string, options: PingProbeOptions, timeoutMs: number, signal: AbortSignal): CommandSpec {
  return { file: 'ping', args: pingArgs(address, options, timeoutMs), timeoutMs, signal, readOnly: true };
}
