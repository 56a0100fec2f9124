import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../store/free-port.js';
import { asPostgresUser, runningAsRoot } from './as-postgres-user.js';
import { postgresBinDir } from './postgres-bin-dir.js';
import { renderPostgresConf, testPostgresSettings } from './postgres-conf.js';
import { killGroup, startPostmaster, waitExited, waitGroupGone, type PostmasterRun } from './postgres-process.js';

export interface StartPostgresOptions {
  /** Default: a free port on 127.0.0.1. */
  readonly port?: number;
  /** More postgresql.conf settings (plain values, quoted for you), e.g. `{ default_transaction_read_only: 'on' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** cluster_name, which names the server in the lab checkers' rows. Default `pg-test`. */
  readonly clusterName?: string;
  /** Parent directory for the server's files. Default: a new temp dir (removed by stop()). */
  readonly dir?: string;
  /** The `tandem` superuser's password. Default: random per server (give one to share it between servers). */
  readonly password?: string;
  /** Default 30000. */
  readonly startTimeoutMs?: number;
}

/** A real PostgreSQL server on 127.0.0.1, owned by a test. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** The running postmaster's pid; undefined while it is down. */
  readonly pid: number | undefined;
  connectionString(): string;
  /** Fast shutdown (SIGINT, like `pg_ctl stop -m fast`), SIGKILL after timeoutMs; removes the files. Safe twice. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL the postmaster and its backends at once: a crash. The files stay, so `restart()` recovers. */
  kill(): Promise<void>;
  /** Start again on the same data dir and port (after kill(), crash recovery runs). */
  restart(): Promise<void>;
}

const SUPERUSER = 'tandem';

function run(argv: readonly string[], timeoutMs: number): Promise<void> {
  const [file = '', ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`postgres harness: ${argv.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** Make `path` belong to the postgres OS user when we are root (initdb writes there as that user). */
function giveToPostgres(path: string): void {
  if (!runningAsRoot()) return;
  const ids = postgresUserIds();
  chownSync(path, ids.uid, ids.gid);
}

let cachedIds: { uid: number; gid: number } | undefined;
function postgresUserIds(): { uid: number; gid: number } {
  if (cachedIds) return cachedIds;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('postgres harness: there is no OS user "postgres"; install it with: apt-get install -y postgresql');
  cachedIds = { uid: Number(uid), gid: Number(gid) };
  return cachedIds;
}

interface Layout {
  readonly dir: string;
  readonly ownDir: boolean;
  readonly dataDir: string;
  readonly logFile: string;
  readonly password: string;
}

/** Create the directory tree and run initdb as the postgres user; then append our settings. */
async function initCluster(binDir: string, options: StartPostgresOptions, port: number): Promise<Layout> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tandem-pg-'));
  mkdirSync(dir, { recursive: true });
  // The postgres user must be able to traverse into it (mkdtemp makes 0700).
  chmodSync(dir, 0o755);
  giveToPostgres(dir);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const password = options.password ?? randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  giveToPostgres(pwfile);
  writeFileSync(logFile, '');
  giveToPostgres(logFile);
  const initdb = [join(binDir, 'initdb'), '-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions', '--no-sync'];
  await run(asPostgresUser(initdb), 60_000);
  rmSync(pwfile, { force: true });
  const settings = testPostgresSettings({ port, socketDir: dir, clusterName: options.clusterName ?? 'pg-test', settings: options.settings });
  appendFileSync(join(dataDir, 'postgresql.conf'), renderPostgresConf(settings));
  return { dir, ownDir, dataDir, logFile, password };
}

/** Processes still running when the test process exits are killed here, as a last resort. */
const liveRuns = new Set<PostmasterRun>();
let exitHookInstalled = false;
function trackForExit(run: PostmasterRun): void {
  liveRuns.add(run);
  void run.exited.then(() => liveRuns.delete(run));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveRuns) killGroup(live.child, 'SIGKILL');
  });
}

/**
 * Start a real PostgreSQL on 127.0.0.1 for a test: initdb into a temp dir (as
 * the postgres OS user when we are root), superuser `tandem` with a random
 * password (scram over TCP), and wait until it accepts connections.
 * Fails loudly, naming the apt package, when PostgreSQL is not installed.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  const port = options.port ?? (await freeLoopbackPort());
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const layout = await initCluster(binDir, options, port);
  let current: PostmasterRun | undefined;
  const boot = async (): Promise<void> => {
    current = await startPostmaster(binDir, layout.dataDir, layout.logFile, port, startTimeoutMs);
    trackForExit(current);
  };
  const down = async (signal: NodeJS.Signals, timeoutMs: number): Promise<void> => {
    const running = current;
    current = undefined;
    if (running === undefined) return;
    // A graceful signal goes to the postmaster only (it shuts its children down in order); SIGKILL to the whole group.
    if (signal === 'SIGKILL') killGroup(running.child, signal);
    else running.child.kill(signal);
    if (!(await waitExited(running, timeoutMs))) killGroup(running.child, 'SIGKILL');
    await waitExited(running, timeoutMs);
    if (!(await waitGroupGone(running, timeoutMs))) killGroup(running.child, 'SIGKILL');
  };
  try {
    await boot();
  } catch (error) {
    if (layout.ownDir) rmSync(layout.dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password: layout.password,
    database: 'postgres',
    dataDir: layout.dataDir,
    logFile: layout.logFile,
    get pid(): number | undefined {
      return current?.child.pid;
    },
    connectionString: () => `postgresql://${SUPERUSER}:${layout.password}@127.0.0.1:${port}/postgres`,
    async stop(timeoutMs = 10_000): Promise<void> {
      // SIGINT to the postmaster is PostgreSQL's "fast" shutdown, what pg_ctl -m fast sends.
      if (current) killGroup(current.child, 'SIGCONT');
      await down('SIGINT', timeoutMs);
      rmSync(layout.ownDir ? layout.dir : layout.dataDir, { recursive: true, force: true });
    },
    async kill(): Promise<void> {
      await down('SIGKILL', 5000);
    },
    async restart(): Promise<void> {
      if (current) throw new Error('postgres harness: restart() while the server is running; kill() or stop() it first');
      await boot();
    },
  };
}
