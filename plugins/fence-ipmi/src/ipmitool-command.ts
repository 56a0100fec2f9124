import type { CommandSpec } from '@tandem/core';
import type { IpmiFenceOptions } from './options.js';

/** The chassis power verbs this plugin sends. */
export type PowerVerb = 'status' | 'off' | 'on';

/** One BMC as this plugin talks to it: resolved address plus the instance's options. */
export interface BmcTarget {
  readonly host: string;
  readonly options: IpmiFenceOptions;
  /** The password, revealed once per call; it goes to the environment only. */
  readonly password: string;
}

/**
 * The ipmitool argv for `chassis power <verb>`. `-E` makes ipmitool read the
 * password from IPMI_PASSWORD, so it never shows in `ps` or in a dry-run
 * script. `-v` is there because only verbose ipmitool says *why* a session
 * failed (bad password vs. no answer); its extra lines go to stderr.
 */
export function ipmitoolArgs(target: BmcTarget, verb: PowerVerb): string[] {
  const o = target.options;
  const args = ['-I', 'lanplus', '-H', target.host, '-p', String(o.port), '-U', o.username, '-E'];
  if (o.cipherSuite !== undefined) args.push('-C', String(o.cipherSuite));
  if (o.privilegeLevel !== undefined) args.push('-L', o.privilegeLevel.toUpperCase());
  args.push('-N', String(o.requestTimeoutS), '-R', String(o.retries), '-v', 'chassis', 'power', verb);
  return args;
}

export function ipmitoolSpec(target: BmcTarget, verb: PowerVerb, timeoutMs: number, signal: AbortSignal): CommandSpec {
  return {
    file: 'ipmitool',
    args: ipmitoolArgs(target, verb),
    timeoutMs,
    env: { IPMI_PASSWORD: target.password },
    signal,
    readOnly: verb === 'status',
  };
}
