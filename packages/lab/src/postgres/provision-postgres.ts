import { randomBytes } from 'node:crypto';
import { appendFile, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresBinDir } from '@tandem/testkit/postgres';
import { asUser } from '../hosts/boot-script.js';
import { userIds } from '../hosts/user-ids.js';
import type { Lab } from '../lab.js';
import { run } from '../topology/ip-command.js';
import type { NicRole } from '../topology/lab-spec.js';
import { conninfo, labPostgresSettings, renderHba, renderSettings } from './postgres-conf.js';
import { LabPostgres } from './lab-postgres.js';

export interface LabPostgresOptions {
  readonly primary: string;
  readonly replicas: readonly string[];
  /** Default 5432. */
  readonly port?: number;
  /** The network replicas stream over. Default `storage`. */
  readonly replicationNic?: NicRole;
  /** More postgresql.conf settings, e.g. synchronous_standby_names. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Default 60 s: how long replicas may take to start streaming. */
  readonly readyTimeoutMs?: number;
}

const SUPERUSER = 'tandem';

/**
 * A real PostgreSQL primary with streaming replicas on lab servers: initdb on
 * the primary, pg_basebackup over the replication network on each replica,
 * each server a lab service (so power on restarts it). Every server names
 * itself in cluster_name, which is how checkers tell who took a write.
 */
export async function provisionPostgres(lab: Lab, options: LabPostgresOptions): Promise<LabPostgres> {
  const bin = postgresBinDir();
  const port = options.port ?? 5432;
  const password = randomBytes(9).toString('hex');
  const { uid, gid } = userIds('postgres');
  const pg = new LabPostgres(lab, { bin, port, user: SUPERUSER, password, primary: options.primary, replicas: options.replicas });
  for (const server of [options.primary, ...options.replicas]) {
    // The host directory belongs to root; PostgreSQL (as postgres) gets its own data and socket directories in it.
    for (const dir of [pg.socketDir(server), pg.dataDir(server), pg.logDir(server)]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chown(dir, uid, gid);
    }
  }
  await initPrimary(lab, pg, password, options.settings ?? {});
  await pg.startServer(options.primary);
  const replicationNic = options.replicationNic ?? 'storage';
  for (const replica of options.replicas) {
    await baseBackup(lab, pg, replica, lab.address(options.primary, replicationNic));
    await pg.startServer(replica);
  }
  await pg.waitStreaming(options.readyTimeoutMs ?? 60_000);
  return pg;
}

async function initPrimary(lab: Lab, pg: LabPostgres, password: string, extra: Readonly<Record<string, string>>): Promise<void> {
  const dataDir = pg.dataDir(pg.primary);
  const pwfile = join(lab.host(pg.primary).dir, 'pg-password');
  const { uid, gid } = userIds('postgres');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await chown(pwfile, uid, gid);
  const [file = 'setpriv', ...args] = asUser('postgres', [join(pg.bin, 'initdb'), '-D', dataDir, '-U', pg.user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-instructions']);
  await run(file, args, { timeoutMs: 60_000 }).catch(rethrowWith(`initdb on ${pg.primary}`));
  await appendFile(join(dataDir, 'postgresql.conf'), renderSettings(labPostgresSettings(pg.port, pg.socketDir(pg.primary), extra)));
  await writeFile(join(dataDir, 'pg_hba.conf'), renderHba());
  // pg_basebackup and pg_rewind copy postgresql.conf from the primary, so what differs per server
  // lives beside the data directory, in a file the shared postgresql.conf includes by relative path.
  await appendFile(join(dataDir, 'postgresql.conf'), "\n# Per-server settings (not copied by pg_basebackup or pg_rewind)\ninclude_if_exists = '../server.conf'\n");
  await writeServerConf(pg, pg.primary);
}

/** cluster_name names the server to the checkers; the socket directory is the server's own. */
async function writeServerConf(pg: LabPostgres, server: string): Promise<void> {
  await writeFile(pg.serverConf(server), renderSettings({ cluster_name: `'${server}'`, unix_socket_directories: `'${pg.socketDir(server)}'` }), { mode: 0o644 });
}

async function baseBackup(lab: Lab, pg: LabPostgres, replica: string, primaryAddress: string): Promise<void> {
  const dataDir = pg.dataDir(replica);
  const argv = asUser('postgres', [join(pg.bin, 'pg_basebackup'), '-h', primaryAddress, '-p', String(pg.port), '-U', pg.user, '-D', dataDir, '-X', 'stream', '-c', 'fast', '--no-password']);
  await lab.exec(replica, argv, { timeoutMs: 120_000, env: { PGPASSWORD: pg.password } }).catch(rethrowWith(`pg_basebackup on ${replica} from ${primaryAddress}`));
  // Each server names itself, and streams under its own name (for synchronous_standby_names).
  const primaryConninfo = conninfo({ host: primaryAddress, port: pg.port, user: pg.user, password: pg.password, application_name: replica });
  await writeServerConf(pg, replica);
  await appendFile(join(dataDir, 'postgresql.auto.conf'), renderSettings({ primary_conninfo: `'${primaryConninfo.replace(/'/g, "''")}'` }));
  await writeFile(join(dataDir, 'standby.signal'), '');
  const { uid, gid } = userIds('postgres');
  await chown(join(dataDir, 'standby.signal'), uid, gid);
}

function rethrowWith(what: string): (error: unknown) => never {
  return (error) => {
    throw new Error(`lab: ${what} failed: ${(error as Error).message}`, { cause: error });
  };
}
