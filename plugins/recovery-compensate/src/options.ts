import { isAbsolute } from 'node:path';
import { secret } from '@tandem/core';
import { z } from 'zod';

const PLAIN_PATH = /^\/[A-Za-z0-9_./-]*$/;
const plainAbsolute = (option: string) =>
  z.string().regex(PLAIN_PATH, `${option} must be an absolute path of letters, digits, "_", "-", "." and "/" only (it is written into restore_command, which a shell runs)`);

/**
 * Options of one `recovery-compensate` instance. A strategy cannot reach the
 * composed transports (the core hands it only RecoveryInput), so it names
 * the same mirror directory and local standby as the transport-wal-mirror
 * instance and reads them with that plugin's exported functions.
 */
export const compensateOptions = z.strictObject({
  /** The transport-wal-mirror instance's mirrorDir on this host. */
  mirrorDir: plainAbsolute('mirrorDir'),
  binDir: z.string().refine((p) => isAbsolute(p), { message: 'binDir must be an absolute path such as /usr/lib/postgresql/15/bin' }).optional(),
  /** OS user for psql (and owner of the mirror, which the server's restore_command reads). */
  osUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'osUser must be a Unix user name such as postgres').default('postgres'),
  /** The local standby: a superuser is needed for ALTER SYSTEM and pg_wal_replay_resume(). */
  standby: z
    .strictObject({
      socketDir: plainAbsolute('standby.socketDir').default('/var/run/postgresql'),
      port: z.number().int().min(1).max(65535).default(5432),
      user: z.string().min(1).default('postgres'),
    })
    .default({ socketDir: '/var/run/postgresql', port: 5432, user: 'postgres' }),
  standbyPassword: secret().optional(),
  /** wal_retrieve_retry_interval while compensating: how soon recovery asks restore_command again. */
  retryIntervalMs: z.number().int().min(10).max(60_000).default(200),
  /** How often replay progress is read while waiting. */
  pollMs: z.number().int().min(20).max(10_000).default(200),
});

export type CompensateOptions = z.output<typeof compensateOptions>;
export type CompensateOptionsInput = z.input<typeof compensateOptions>;
