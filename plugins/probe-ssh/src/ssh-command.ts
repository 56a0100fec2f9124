import type { CommandSpec } from '@tandem/core';
import type { SshProbeOptions } from './ssh-probe-options.js';

/**
 * ssh's ConnectTimeout in whole seconds (it takes no fractions), a little
 * under the caller's deadline so an unanswered connect is named by ssh;
 * the runner's deadline still bounds the whole login.
 */
export function connectTimeoutSeconds(timeoutMs: number): number {
  return Math.max(1, Math.floor((timeoutMs * 0.8) / 1000));
}

/**
 * One non-interactive login that runs `true`. `-F none` and the explicit
 * options make the probe independent of whatever ~/.ssh/config says;
 * the known-hosts file given is the only trust anchor (the global one is
 * switched off) and an unknown or changed key is refused, never learnt.
 */
export function sshArgs(address: string, options: SshProbeOptions, timeoutMs: number): string[] {
  return [
    '-F', 'none',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${connectTimeoutSeconds(timeoutMs)}`,
    '-o', 'ConnectionAttempts=1',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${options.knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'PreferredAuthentications=publickey',
    '-o', 'IdentitiesOnly=yes',
    '-i', options.identityFile,
    '-p', String(options.port),
    '-T',
    `${options.user}@${address}`,
    'true',
  ];
}

export function sshSpec(address: string, options: SshProbeOptions, timeoutMs: number, signal: AbortSignal): CommandSpec {
  return { file: 'ssh', args: sshArgs(address, options, timeoutMs), timeoutMs, signal, readOnly: true };
}
