import { isAbsolute } from 'node:path';
import { z } from 'zod';

const absolute = (what: string) => z.string().refine((p) => isAbsolute(p), { message: `${what} must be an absolute path` });
const argv = z.array(z.string()).min(1, 'needs at least the program');

export const processAgentOptions = z.strictObject({
  /** The long-running program and its arguments; it must stay in the foreground (no self-daemonizing). */
  command: argv,
  /** Where the pid is kept; the role state file sits beside it (`<pidFile>.state.json`). */
  pidFile: absolute('pidFile'),
  cwd: absolute('cwd').optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** stdout and stderr of the process; defaults to the pid file's name with `.log`. */
  logFile: absolute('logFile').optional(),
  /** Grace between SIGTERM and SIGKILL on stop. */
  stopTimeoutMs: z.number().int().positive().default(5000),
  /** Without a health port: how long the process must stay up after spawn to count as started. */
  startGraceMs: z.number().int().min(0).default(200),
  /** Run on promote / demote (exit 0 = done); without them only the recorded role changes. */
  promote: argv.optional(),
  demote: argv.optional(),
  /**
   * Whether the process has primary/replica roles. Default: yes when promote or
   * demote is given. Without roles it runs on the primary only: the HA cycle
   * starts it on promotion and stops it on demotion (an application, a VIP helper).
   */
  roles: z.boolean().optional(),
  /** When set, start waits until this port accepts and monitor requires it to. */
  healthPort: z.number().int().min(1).max(65535).optional(),
  healthHost: z.string().min(1).default('127.0.0.1'),
});

export type ProcessAgentOptions = z.output<typeof processAgentOptions>;

export function logFileOf(options: ProcessAgentOptions): string {
  return options.logFile ?? `${options.pidFile.replace(/\.pid$/, '')}.log`;
}
