import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { waitForPort } from '../hosts/wait-for-port.js';
import { waitUntil } from '../hosts/wait-until.js';

/**
 * After a power cut the killed postmaster's lock files (data directory and
 * socket) are still there, and its
 * pid may still exist for a moment as a zombie waiting to be reaped, which
 * PostgreSQL takes for a running server. A real reboot has no such pid, so
 * the boot removes the lock file when its pid is gone or a zombie.
 */
const START_AFTER_POWER_CUT = `for lock in "$2/postmaster.pid" "$3"/.s.PGSQL.*.lock; do
  [ -f "$lock" ] || continue
  pid=$(head -n 1 "$lock")
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
  if [ -z "$state" ] || [ "$state" = Z ]; then rm -f "$lock"; fi
done
exec "$1" -D "$2"`;

export interface LabPostgresParams {
  readonly bin: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly primary: string;
  readonly replicas: readonly string[];
}

/** The PostgreSQL servers of a lab: where their files are, and a psql that runs inside the lab. */
export class LabPostgres {
  readonly bin: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database = 'postgres';
  /** The primary the lab set up; after a failover ask `role()`. */
  readonly primary: string;
  readonly replicas: readonly string[];

  constructor(
    private readonly lab: Lab,
    params: LabPostgresParams,
  ) {
    this.bin = params.bin;
    this.port = params.port;
    this.user = params.user;
    this.password = params.password;
    this.primary = params.primary;
    this.replicas = params.replicas;
  }

  get servers(): string[] {
    return [this.primary, ...this.replicas];
  }

  dataDir(server: string): string {
    return join(this.lab.host(server).dir, 'pgdata');
  }

  /** Owned by postgres: server logs written by pg_ctl (when an agent runs the database). */
  logDir(server: string): string {
    return join(this.lab.host(server).dir, 'pglog');
  }

  /** Per-server settings beside the data directory (postgresql.conf includes it as ../server.conf). */
  serverConf(server: string): string {
    return join(this.lab.host(server).dir, 'server.conf');
  }

  socketDir(server: string): string {
    return join(this.lab.host(server).dir, 'pgsock');
  }

  /** Register the server as the host's `postgres` service and wait until it answers a query. */
  async startServer(server: string): Promise<void> {
    await this.lab.addService(server, { name: 'postgres', user: 'postgres', argv: ['sh', '-c', START_AFTER_POWER_CUT, 'postgres', join(this.bin, 'postgres'), this.dataDir(server), this.socketDir(server)] });
    await waitForPort(this.lab.host('client').namespace, this.lab.address(server), this.port, 30_000, `PostgreSQL on ${server}`);
    // The port opens while the server is still starting up ("the database system is starting up"): a pg_basebackup then fails.
    await waitUntil(`PostgreSQL on ${server} to answer a query`, 30_000, async () => ((await this.query({ server }, 'select 1', 5000)) === '1' ? true : undefined), 200);
  }

  /**
   * Run SQL with psql from inside a lab host (default: the client) against an
   * address (default: the server's public address). Returns psql's unaligned output.
   */
  async query(target: { server?: string; address?: string; from?: string }, sql: string, timeoutMs = 15_000): Promise<string> {
    const address = target.address ?? this.lab.address(target.server ?? this.primary);
    const argv = [join(this.bin, 'psql'), '-h', address, '-p', String(this.port), '-U', this.user, '-d', this.database, '-AtX', '-v', 'ON_ERROR_STOP=1', '-c', sql];
    const result = await this.lab.exec(target.from ?? 'client', argv, { timeoutMs, env: { PGPASSWORD: this.password, PGCONNECT_TIMEOUT: '3' } });
    return result.stdout.trim();
  }

  /** 'primary' or 'replica', as the server itself says. */
  async role(server: string): Promise<'primary' | 'replica'> {
    return (await this.query({ server }, 'select pg_is_in_recovery()')) === 't' ? 'replica' : 'primary';
  }

  /**
   * Wait until every replica says its WAL receiver streams. Asked on the
   * replica, not the primary: after a replica's power cut the primary keeps
   * a dead walsender listed until TCP gives up on it.
   */
  async waitStreaming(timeoutMs: number, replicas: readonly string[] = this.replicas): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const status = new Map<string, string>();
    for (;;) {
      for (const replica of replicas) {
        const seen = await this.query({ server: replica }, "select coalesce((select status from pg_stat_wal_receiver), 'no receiver')", 5000).catch((e: Error) => e.message.split('\n').pop() ?? 'error');
        status.set(replica, seen);
      }
      if (replicas.every((r) => status.get(r) === 'streaming')) return;
      if (Date.now() > deadline) {
        const seen = [...status].map(([r, s]) => `${r}: ${s}`).join('; ');
        throw new Error(`lab: replicas did not all stream within ${timeoutMs} ms (${seen})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
