import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExecaCommandRunner, SystemClock, type NodeInfo } from '@tandem/core';
import { findPostgresBinDir } from '@tandem/plugin-resource-postgres';
import { walMirrorOptions, type WalMirrorOptionsInput } from '../options.js';
import { WalMirrorTransport } from '../wal-mirror-transport.js';
import { WalTools } from '../wal-tools.js';

const run = promisify(execFile);
const USER = 'tandem';

/** Fails loudly, saying what to install or how to run, instead of skipping. */
export function requirePostgresAsRoot(): string {
  if (process.getuid?.() !== 0) throw new Error('WAL mirror integration tests run as root (PostgreSQL programs run as the postgres user through setpriv)');
  const bin = findPostgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL server binaries are missing: apt-get install -y postgresql');
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const asPostgres = (argv: string[], timeoutMs = 60_000) => run('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', ...argv], { cwd: '/', timeout: timeoutMs });

/**
 * A primary P and a streaming standby S on 127.0.0.1 (each with its own
 * port and socket dir), S's stream as role repl_s so a test can cut it,
 * and a directory for the mirror. Trust authentication: these tests are
 * about WAL, not logins.
 */
export class WalPair {
  private constructor(
    readonly root: string,
    readonly bin: string,
    readonly primaryPort: number,
    readonly standbyPort: number,
  ) {}

  readonly node: NodeInfo = { name: 's', nics: {} };
  get mirrorDir(): string {
    return join(this.root, 'mirror');
  }
  dataDir(which: 'p' | 's'): string {
    return join(this.root, which);
  }
  socketDir(which: 'p' | 's'): string {
    return join(this.root, `${which}-sock`);
  }

  static async create(): Promise<WalPair> {
    const bin = requirePostgresAsRoot();
    const root = await mkdtemp(join(tmpdir(), 'tandem-walmirror-'));
    const pair = new WalPair(root, bin, await freePort(), await freePort());
    for (const d of [pair.socketDir('p'), pair.socketDir('s')]) await mkdir(d);
    await run('chown', ['-R', 'postgres:postgres', root]);
    await asPostgres([join(bin, 'initdb'), '-D', pair.dataDir('p'), '-U', USER, '--auth=trust', '--no-instructions', '--no-sync']);
    const common = ["listen_addresses = '127.0.0.1'", 'fsync = off', 'shared_buffers = 16MB', 'max_connections = 20', "wal_keep_size = '64MB'"];
    await appendFile(join(pair.dataDir('p'), 'postgresql.conf'), `${[...common, `port = ${pair.primaryPort}`, `unix_socket_directories = '${pair.socketDir('p')}'`].join('\n')}\n`);
    await pair.ctl('p', 'start');
    await pair.sql('p', 'create role repl_s login replication');
    await asPostgres([join(bin, 'pg_basebackup'), '-h', '127.0.0.1', '-p', String(pair.primaryPort), '-U', 'repl_s', '-D', pair.dataDir('s'), '-R', '-X', 'stream', '--no-sync']);
    await appendFile(join(pair.dataDir('s'), 'postgresql.conf'), `port = ${pair.standbyPort}\nunix_socket_directories = '${pair.socketDir('s')}'\n`);
    await pair.ctl('s', 'start');
    return pair;
  }

  async ctl(which: 'p' | 's', verb: 'start' | 'promote'): Promise<void> {
    const log = join(this.root, `${which}.log`);
    await asPostgres([join(this.bin, 'pg_ctl'), verb, '-w', '-t', '30', '-D', this.dataDir(which), ...(verb === 'start' ? ['-l', log] : [])]);
  }

  /** psql over the node's socket as the superuser; trimmed unaligned output. */
  async sql(which: 'p' | 's', ...statements: string[]): Promise<string> {
    const dsn = `host=${this.socketDir(which)} port=${which === 'p' ? this.primaryPort : this.standbyPort} user=${USER} dbname=postgres`;
    const { stdout } = await run(join(this.bin, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, ...statements.flatMap((s) => ['-c', s])], { timeout: 30_000 });
    return stdout.trim();
  }

  /** A transport for S mirroring P. */
  transport(extra: Partial<WalMirrorOptionsInput> = {}): WalMirrorTransport {
    const options = walMirrorOptions.parse({
      mirrorDir: this.mirrorDir,
      binDir: this.bin,
      primaryHost: '127.0.0.1',
      port: this.primaryPort,
      user: USER,
      mirrorName: 'tandem_mirror_{node}',
      standby: { socketDir: this.socketDir('s'), port: this.standbyPort, user: USER },
      ...extra,
    });
    return new WalMirrorTransport(options, this.tools(), { self: this.node, nodes: [this.node] }, new SystemClock());
  }

  tools(): WalTools {
    return new WalTools(new ExecaCommandRunner(), this.bin, 'postgres');
  }

  /** Power-cut P: SIGKILL its backends, then the postmaster; its data dir is renamed so nothing can start it again. */
  async killPrimary(): Promise<void> {
    const pid = Number((await readFile(join(this.dataDir('p'), 'postmaster.pid'), 'utf8')).split('\n')[0]);
    await run('pkill', ['-KILL', '-P', String(pid)]).catch(() => undefined);
    process.kill(pid, 'SIGKILL');
    await run('mv', [this.dataDir('p'), `${this.dataDir('p')}-dead`]);
  }

  /** Stop both servers (immediate) and remove everything. */
  async cleanup(): Promise<void> {
    for (const d of [this.dataDir('p'), this.dataDir('s'), `${this.dataDir('p')}-dead`]) {
      await asPostgres([join(this.bin, 'pg_ctl'), 'stop', '-m', 'immediate', '-w', '-t', '10', '-D', d], 20_000).catch(() => undefined);
    }
    await rm(this.root, { recursive: true, force: true });
  }
}
