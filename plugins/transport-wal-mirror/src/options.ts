import { nameForNode } from '@tandem/plugin-resource-postgres';
import { isAbsolute } from 'node:path';
import { NIC_ROLES, secret } from '@tandem/core';
import { z } from 'zod';

/** The mirror path lands in restore_command (run by a shell): only plain characters are allowed. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./-]*$/;
const PG_NAME = /^[a-z_][a-z0-9_]*$/;

const plainAbsolute = (option: string) =>
  z.string().regex(PLAIN_PATH, `${option} must be an absolute path of letters, digits, "_", "-", "." and "/" only (it is used inside restore_command)`);
const absolute = (option: string) => z.string().refine((p) => isAbsolute(p), { message: `${option} must be an absolute path such as /var/lib/postgresql/tandem-mirror.pid` });
const nameWithNode = (option: string) =>
  z
    .string()
    .refine((p) => PG_NAME.test(p.replace('{node}', 'x')), { message: `${option} must be lower-case letters, digits and "_", with an optional {node} placeholder (it names a replication slot)` });

/** How the transport reaches the local standby to read its replay position (`applied`). */
const standbyConnection = z.strictObject({
  socketDir: plainAbsolute('standby.socketDir').default('/var/run/postgresql'),
  port: z.number().int().min(1).max(65535).default(5432),
  user: z.string().min(1).default('postgres'),
});

/** Options of one `transport-wal-mirror` instance (runs on each standby host). */
export const walMirrorOptions = z.strictObject({
  /** Where pg_receivewal writes the mirrored WAL; created (mode 0700, owned by osUser) on start. */
  mirrorDir: plainAbsolute('mirrorDir'),
  /** pg_receivewal, pg_waldump and psql. Default: the highest /usr/lib/postgresql/<major>/bin. */
  binDir: absolute('binDir').optional(),
  /** OS user pg_receivewal runs as (the agent is root; the mirror must be readable by the server for restore_command). */
  osUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'osUser must be a Unix user name such as postgres').default('postgres'),
  /**
   * Address of the primary to stream from. Default: the replicationNic address of the primary the caller names,
   * else of the only other node of the cluster (two-node clusters need nothing here).
   */
  primaryHost: z.string().min(1).optional(),
  /** The NIC of the primary to stream from when primaryHost is not set. */
  replicationNic: z.enum(NIC_ROLES as unknown as [string, ...string[]], { error: () => `replicationNic must be one of ${NIC_ROLES.join(', ')}` }).default('storage'),
  port: z.number().int().min(1).max(65535).default(5432),
  /** A role with the REPLICATION attribute on the primary. */
  user: z.string().min(1).default('postgres'),
  /** `{ env: NAME }` or `{ file: /path }`; passed to pg_receivewal in PGPASSWORD, never in argv. Optional with trust or a .pgpass. */
  password: secret().optional(),
  /** application_name the mirror connects with: what the primary's synchronous_standby_names must name. */
  mirrorName: nameWithNode('mirrorName').default('tandem_mirror_{node}'),
  /** Replication slot on the primary, so the primary keeps WAL the mirror has not received. Default: the mirror name. */
  slot: nameWithNode('slot').optional(),
  /** Create the slot on start when missing (pg_receivewal --create-slot --if-not-exists). */
  createSlot: z.boolean().default(true),
  standby: standbyConnection.default({ socketDir: '/var/run/postgresql', port: 5432, user: 'postgres' }),
  /** `{ env }`/`{ file }`: password of standby.user, when the socket does not trust it. */
  standbyPassword: secret().optional(),
  /** Default: `<mirrorDir>.pid`, beside the mirror (pg_receivewal ignores other files in its directory, but restore_command readers should not see them). */
  pidFile: absolute('pidFile').optional(),
  /** pg_receivewal's output. Default: `<mirrorDir>.log`. */
  logFile: absolute('logFile').optional(),
  /** pg_receivewal --status-interval in seconds: how often it reports its position when idle. */
  statusIntervalS: z.number().int().min(1).max(3600).default(1),
});

export type WalMirrorOptions = z.output<typeof walMirrorOptions>;
export type WalMirrorOptionsInput = z.input<typeof walMirrorOptions>;

/** The application_name the mirror of `node` uses: `{node}` filled in, cut to PostgreSQL's 63 bytes. */
export function mirrorNameFor(options: WalMirrorOptions, node: string): string {
  return nameForNode(options.mirrorName, node);
}

export function slotFor(options: WalMirrorOptions, node: string): string {
  return nameForNode(options.slot ?? options.mirrorName, node);
}

export function pidFileOf(options: WalMirrorOptions): string {
  return options.pidFile ?? `${options.mirrorDir.replace(/\/+$/, '')}.pid`;
}

export function logFileOf(options: WalMirrorOptions): string {
  return options.logFile ?? `${options.mirrorDir.replace(/\/+$/, '')}.log`;
}
