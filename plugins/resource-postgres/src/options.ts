import { isAbsolute } from 'node:path';
import { NIC_ROLES, secret } from '@tandem/core';
import { z } from 'zod';

/** Paths handed to pg_ctl's `-o` go through a shell inside pg_ctl: only plain characters are allowed. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./-]*$/;
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

const absolute = (option: string) =>
  z.string().refine((p) => isAbsolute(p), { message: `${option} must be an absolute path; write it as /var/lib/postgresql/15/main or similar` });

const plainAbsolute = (option: string) =>
  z.string().regex(PLAIN_PATH, `${option} must be an absolute path of letters, digits, "_", "-", "." and "/" only (pg_ctl passes it through a shell)`);

/** Options of one `resource-postgres` instance, as written under `resources[i].options`. */
export const postgresAgentOptions = z.strictObject({
  /** The cluster's data directory (PGDATA). */
  dataDir: plainAbsolute('dataDir'),
  /**
   * postgresql.conf outside the data directory (Debian keeps it in /etc/postgresql/<major>/<cluster>/), passed as
   * `-c config_file=`. Keep node-specific settings out of the data directory: pg_rewind copies its files from the primary.
   */
  configFile: plainAbsolute('configFile').optional(),
  /** Where pg_ctl, pg_rewind and pg_basebackup live. Default: the highest /usr/lib/postgresql/<major>/bin. */
  binDir: absolute('binDir').optional(),
  /** The OS user that owns dataDir; the agent (root) runs every PostgreSQL program as this user. */
  osUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'osUser must be a Unix user name such as postgres').default('postgres'),
  port: z.number().int().min(1).max(65535).default(5432),
  /** Unix socket directory the server listens on and the agent connects through. */
  socketDir: plainAbsolute('socketDir').default('/var/run/postgresql'),
  /** Role the agent connects as (monitor, promote's slot creation, rejoin). */
  superuser: z.string().min(1).default('postgres'),
  /** `{ env: NAME }` or `{ file: /path }`: the password of `superuser` (and of `replicationUser`). */
  password: secret(),
  /** Role a standby uses in primary_conninfo. Default: the superuser. */
  replicationUser: z.string().min(1).optional(),
  /** Which NIC of the primary a standby connects to. */
  replicationNic: z.enum(NIC_ROLES as unknown as [string, ...string[]], { error: () => `replicationNic must be one of ${NIC_ROLES.join(', ')}` }).default('storage'),
  /** Replication slot name; `{node}` becomes the standby's node name (lower-cased, other characters as `_`). */
  slotName: z
    .string()
    .default('tandem_{node}')
    .refine((p) => PG_IDENTIFIER.test(p.replace('{node}', 'x')), { message: 'slotName must be lower-case letters, digits and "_", with an optional {node} placeholder' }),
  /** Server log (pg_ctl -l). Default: `<dataDir>.log`, beside the data directory, so pg_rewind never copies it. */
  logFile: absolute('logFile').optional(),
  /** How long `start` lets pg_ctl wait for the server to accept connections (the caller's deadline still bounds it). */
  startTimeoutMs: z.number().int().positive().default(60_000),
  /** How long a fast shutdown may take before an immediate one. */
  stopTimeoutMs: z.number().int().positive().default(30_000),
  /** pg_ctl's shutdown mode for `stop`. `smart` waits for clients to leave and is rarely what HA wants. */
  stopMode: z.enum(['fast', 'smart', 'immediate']).default('fast'),
  /**
   * What `demote` does to a running primary. `stop` (default): stop it and leave it stopped; rejoin is manual.
   * `standby`: stop it, then start it again read-only in standby mode (for planned switchovers).
   */
  demoteMode: z.enum(['stop', 'standby']).default('stop'),
  /**
   * Let the agent own synchronous_standby_names (ALTER SYSTEM). Unset: the agent never touches it. Set: a promoted
   * primary waits for `ANY 1` of its peers' standbys named by `name` (a WAL mirror's application_name); see afterPromote.
   */
  syncStandbys: z
    .strictObject({
      /** application_name of each peer's synchronous standby; `{node}` becomes the peer's node name. */
      name: z
        .string()
        .default('tandem_mirror_{node}')
        .refine((p) => PG_IDENTIFIER.test(p.replace('{node}', 'x')), { message: 'syncStandbys.name must be lower-case letters, digits and "_", with an optional {node} placeholder' }),
      /**
       * `accept-writes` (default): a new primary acknowledges commits with its own copy until a peer's standby streams,
       * then the monitor turns synchronous replication back on. `wait`: commits wait for a peer from the start.
       */
      afterPromote: z.enum(['accept-writes', 'wait']).default('accept-writes'),
    })
    .optional(),
});

export type PostgresAgentOptions = z.output<typeof postgresAgentOptions>;
export type PostgresAgentOptionsInput = z.input<typeof postgresAgentOptions>;

export function logFileOf(options: PostgresAgentOptions): string {
  return options.logFile ?? `${options.dataDir.replace(/\/+$/, '')}.log`;
}

export function replicationUserOf(options: PostgresAgentOptions): string {
  return options.replicationUser ?? options.superuser;
}

/** The slot a standby named `node` uses: the pattern with `{node}` filled in and made a valid identifier. */
export function slotNameFor(options: PostgresAgentOptions, node: string): string {
  return nameForNode(options.slotName, node);
}

/** `{node}` in `pattern` filled with the node's name made an identifier, cut to PostgreSQL's 63 bytes (slots, application_name). */
export function nameForNode(pattern: string, node: string): string {
  return pattern.replace('{node}', node.toLowerCase().replace(/[^a-z0-9_]/g, '_')).slice(0, 63);
}
