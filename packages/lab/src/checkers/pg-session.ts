import { withDeadline, type Clock } from '@tandem/core';
import pg from 'pg';

/** Where a checker connects: the service address (VIP) or one host's own address. */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Why a statement did not return a result. `sent` tells whether the server may have run it. */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
    readonly timedOut: boolean,
    /** SQLSTATE when the server answered with an error. */
    readonly sqlState?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/**
 * One reusable PostgreSQL connection with a client-side deadline on every
 * step. There is deliberately no server-side statement_timeout: cancelling a
 * commit that waits for a synchronous standby makes PostgreSQL report success
 * (with a warning) for a write that was never replicated. At a deadline the
 * socket is destroyed instead, and the caller treats the write as uncertain.
 */
export class PgSession {
  private client: pg.Client | undefined;
  private broken = false;
  private warnings: string[] = [];

  constructor(
    private readonly target: PgTarget,
    private readonly clock: Clock,
    /** Run once on each new connection (e.g. create the table); its errors are ignored, the next statement tells the truth. */
    private readonly onConnect?: (client: pg.Client) => Promise<unknown>,
  ) {}

  /** Connect if there is no healthy connection. Throws SessionError with sent=false on failure. */
  async ensureConnected(timeoutMs: number): Promise<void> {
    if (this.client !== undefined && !this.broken) return;
    this.discard();
    const client = new pg.Client({ ...this.target, connectionTimeoutMillis: timeoutMs, keepAlive: true, application_name: 'tandem-lab-checker' });
    // An idle connection the server drops emits 'error'; without a listener it would crash the process.
    client.on('error', () => {
      this.broken = true;
    });
    client.on('end', () => {
      this.broken = true;
    });
    client.on('notice', (notice) => {
      if (notice.severity === 'WARNING' || notice.severity === 'ERROR') this.warnings.push(`${notice.message ?? ''}${notice.detail ? ` (${notice.detail})` : ''}`);
    });
    this.client = client;
    this.broken = false;
    const connected = await withDeadline(this.clock, timeoutMs, 'connect', async () => {
      await client.connect();
      if (this.onConnect) await this.onConnect(client).catch(() => undefined);
    });
    if (!connected.ok) {
      this.discard();
      throw new SessionError(connected.reason, false, connected.timedOut, undefined, { cause: connected.error });
    }
  }

  /**
   * Send one statement and wait for its result, at most timeoutMs. Warnings the
   * server sent while it ran are returned with the rows.
   */
  async query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[], timeoutMs: number): Promise<{ rows: R[]; warnings: string[] }> {
    const client = this.client;
    if (client === undefined || this.broken) throw new SessionError('not connected', false, false);
    this.warnings = [];
    const result = await withDeadline(this.clock, timeoutMs, 'query', () => client.query<R>(sql, [...params]));
    if (result.ok) return { rows: result.value.rows, warnings: this.warnings.splice(0) };
    const sqlState = (result.error as { code?: unknown } | undefined)?.code;
    const state = typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : undefined;
    // After a timeout or a lost connection this socket is in an unknown state: never reuse it.
    if (result.timedOut || state === undefined || this.broken) this.discard();
    throw new SessionError(result.reason, true, result.timedOut, state, { cause: result.error });
  }

  /** Drop the connection at once (no goodbye): used after deadlines, errors and at exit. */
  discard(): void {
    const client = this.client;
    this.client = undefined;
    this.broken = false;
    if (client === undefined) return;
    client.connection.stream.destroy();
    // end() settles quickly on a destroyed socket; a rejection here has nothing left to tell.
    client.end().catch(() => undefined);
  }
}
