import { secret } from '@tandem/core';
import { z } from 'zod';

/** ipmitool's `-L` names, lower-cased; `administrator` is what power control normally needs. */
export const PRIVILEGE_LEVELS = ['callback', 'user', 'operator', 'administrator'] as const;

/** Options of one `fence-ipmi` instance, as written under `fencing.levels[i][j].options`. */
export const ipmiFenceOptions = z.strictObject({
  /** BMC address or name. Default: the fenced node's `management` address from `nodes.<name>.management`. */
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).default(623),
  username: z.string().min(1),
  /** `{ env: NAME }` or `{ file: /path }`; handed to ipmitool through IPMI_PASSWORD, never argv. */
  password: secret(),
  /** RMCP+ cipher suite (`-C`). Unset: ipmitool asks the BMC. Set it for BMCs that do not answer that query (3 is common). */
  cipherSuite: z.number().int().min(0).max(17).optional(),
  /** Session privilege (`-L`). Unset: ipmitool's default, administrator. */
  privilegeLevel: z.enum(PRIVILEGE_LEVELS).optional(),
  /** `off`: hard power off and leave it off. `cycle`: power off, verify off, then power on again. */
  action: z.enum(['off', 'cycle']).default('off'),
  /** How long to keep reading `chassis power status` after the power command; the caller's deadline still bounds it. */
  verifyTimeoutMs: z.number().int().positive().default(15_000),
  pollIntervalMs: z.number().int().min(50).default(500),
  /**
   * ipmitool's per-request timeout (`-N`, seconds) and retries (`-R`): how long one ipmitool run waits for a
   * silent BMC (measured with ipmitool 1.8.19: -N 1 -R 1 gives up after about 2 s, -R 2 after about 6 s).
   * ipmitool reads -R 0 as "its default, 4", so 0 is refused.
   */
  requestTimeoutS: z.number().int().min(1).max(30).default(1),
  retries: z.number().int().min(1).max(10).default(2),
});

export type IpmiFenceOptions = z.output<typeof ipmiFenceOptions>;
export type IpmiFenceOptionsInput = z.input<typeof ipmiFenceOptions>;
