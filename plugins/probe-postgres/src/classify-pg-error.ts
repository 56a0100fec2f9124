import { outcome, type Outcome, type OutcomeCode } from '@tandem/core';

/** What node-postgres rejects with: a server error (SQLSTATE `code`) or a socket error (errno `code`). */
export interface PgFailure {
  readonly code?: string;
  readonly message: string;
}

const SOCKET: Readonly<Record<string, OutcomeCode>> = {
  ECONNREFUSED: 'failed',
  ECONNRESET: 'failed',
  EHOSTUNREACH: 'failed',
  ENETUNREACH: 'failed',
  EHOSTDOWN: 'failed',
  ENETDOWN: 'failed',
  EPIPE: 'failed',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'config-error',
  EAI_AGAIN: 'config-error',
};

/** SQLSTATEs by exact code, then by class (first two characters). */
const SQLSTATE: Readonly<Record<string, { code: OutcomeCode; say: string }>> = {
  '28P01': { code: 'failed', say: 'authentication failed (wrong password)' },
  '3D000': { code: 'config-error', say: 'the database does not exist; fix options.database' },
  '42501': { code: 'config-error', say: 'the role lacks a privilege the check needs; grant it (see README)' },
  '25006': { code: 'failed', say: 'the server refuses writes (read-only: a standby, or default_transaction_read_only)' },
  '57P03': { code: 'failed', say: 'the server does not accept connections now (starting, stopping or in recovery)' },
  '28': { code: 'failed', say: 'authentication failed (role or pg_hba.conf refused the login)' },
  '08': { code: 'failed', say: 'connection failure' },
  '53': { code: 'failed', say: 'the server is out of resources (connections, memory or disk)' },
  '57': { code: 'failed', say: 'the server ended the session (shutdown or operator intervention)' },
};

/** Sort one node-postgres failure into an outcome; the reason keeps PostgreSQL's own words. */
export function classifyPgError(where: string, error: PgFailure): Outcome {
  const said = error.message.split('\n')[0] ?? '';
  const code = error.code;
  if (code !== undefined && SOCKET[code] !== undefined) return outcome(SOCKET[code], `postgres ${where}: ${code} ${said}`);
  const rule = code === undefined ? undefined : (SQLSTATE[code] ?? SQLSTATE[code.slice(0, 2)]);
  if (rule) return outcome(rule.code, `postgres ${where}: ${rule.say} [${code}: ${said}]`);
  if (/client password must be a string|password authentication/i.test(said)) {
    return outcome('config-error', `postgres ${where}: the server asks for a password; set options.password ({ env } or { file }) [${said}]`);
  }
  if (/Connection terminated|connection ended|Connection closed/i.test(said)) return outcome('failed', `postgres ${where}: the server closed the connection [${said}]`);
  return outcome('unknown', `postgres ${where}: ${code ? `${code}: ` : ''}${said}`);
}
