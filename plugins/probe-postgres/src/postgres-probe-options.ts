import { secret } from '@tandem/core';
import { z } from 'zod';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export const postgresProbeOptions = z.strictObject({
  /** `login`: connect, authenticate, `select`. `write`: commit one heartbeat row (upsert). */
  check: z.enum(['login', 'write'], { error: () => 'check must be login (connect and select 1) or write (commit a heartbeat row)' }),
  port: z.number().int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535').default(5432),
  database: z.string().min(1, 'database must name a database, e.g. postgres').default('postgres'),
  user: z.string().min(1, 'user must name a PostgreSQL role, e.g. tandem'),
  /** `{ env: NAME }` or `{ file: /path }`; omit it only for trust or peer-less setups that need no password. */
  password: secret().optional(),
  /** Which of the target's NICs to connect to. */
  nic: z
    .enum(['public', 'storage', 'privateA', 'privateB'], {
      error: () => 'nic must be one of public, storage, privateA, privateB (the NIC roles under nodes.<name>.nics)',
    })
    .default('public'),
  /** Connect here instead of the NIC's address (a VIP, 127.0.0.1 in tests). */
  address: z
    .string()
    .regex(/^[A-Za-z0-9][\w.:-]*$/, 'address must be an IPv4 address or a host name, e.g. 192.0.2.12')
    .optional(),
  /** The heartbeat table for `check: write`, `name` or `schema.name`; created when missing. */
  table: z
    .string()
    .refine((t) => t.split('.').length <= 2 && t.split('.').every((part) => identifier.test(part)), {
      message: 'table must be a lower-case SQL name or schema.name, e.g. tandem_heartbeat',
    })
    .default('tandem_heartbeat'),
  /** Default: `db-login` for check login, `write` for check write. */
  dimension: z.string().min(1, 'dimension must be a non-empty name').optional(),
  /** The deadline the config falls back to when the instance sets no timeoutMs. */
  defaultTimeoutMs: z.number().int().positive('defaultTimeoutMs must be a positive number of milliseconds').default(3000),
});

export type PostgresProbeOptions = z.output<typeof postgresProbeOptions>;
export type PostgresProbeOptionsInput = z.input<typeof postgresProbeOptions>;
