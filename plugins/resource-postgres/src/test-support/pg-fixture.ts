import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NodeInfo } from '@tandem/core';
import { findPostgresBinDir } from '../bin-dir.js';
import { postgresAgentOptions, type PostgresAgentOptions } from '../options.js';

const run = promisify(execFile);
export const PASSWORD_ENV = 'TANDEM_TEST_PG_PASSWORD';
export const SUPERUSER = 'tandem';

/** Fails loudly, saying what to install or how to run, instead of skipping. */
export function requirePostgresAsRoot(): string {
  if (process.getuid?.() !== 0) throw new Error('resource-postgres integration tests run as root (the agent runs PostgreSQL as the postgres user with setpriv)');
  const bin = findPostgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL server binaries are missing: apt-get install -y postgresql');
  return bin;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function asPostgres(argv: string[]): Promise<void> {
  await run('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', ...argv], { cwd: '/', timeout: 120_000 });
}

/**
 * A temp root owned by postgres with one initdb'd template (initdb is the
 * slow part: each node copies it). Nodes get their own loopback address
 * (127.0.0.2, .3 ...) and the same port, as real hosts would, and keep
 * their postgresql.conf outside the data directory (configFile).
 */
export class PgFixture {
  private constructor(
    readonly root: string,
    readonly bin: string,
    readonly port: number,
    readonly password: string,
  ) {}

  static async create(): Promise<PgFixture> {
    const bin = requirePostgresAsRoot();
    const root = await mkdtemp(join(tmpdir(), 'tandem-rpg-'));
    await run('chown', ['postgres:postgres', root]);
    const password = 'pw-with space\'quote';
    await writeFile(join(root, 'pw'), `${password}\n`);
    await run('chown', ['postgres:postgres', join(root, 'pw')]);
    await asPostgres([join(bin, 'initdb'), '-D', join(root, 'template'), '-U', SUPERUSER, `--pwfile=${join(root, 'pw')}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '--no-instructions', '--no-sync']);
    const port = await freePort('127.0.0.2');
    process.env[PASSWORD_ENV] = password;
    return new PgFixture(root, bin, port, password);
  }

  /** A node: NodeInfo on 127.0.0.<2+index>, its config dir, and (unless `empty`) a copy of the template as its data dir. */
  async node(name: string, index: number, opts: { empty?: boolean; options?: Record<string, unknown> } = {}): Promise<{ node: NodeInfo; options: PostgresAgentOptions }> {
    const address = `127.0.0.${2 + index}`;
    const dir = join(this.root, name);
    const confDir = join(this.root, `${name}-conf`);
    const socketDir = join(this.root, `${name}-sock`);
    for (const d of [dir, confDir, socketDir]) await mkdir(d, { recursive: true });
    if (opts.empty !== true) await cp(join(this.root, 'template'), join(dir, 'data'), { recursive: true });
    for (const f of ['pg_hba.conf', 'pg_ident.conf']) await cp(join(this.root, 'template', f), join(confDir, f));
    const base = await readFile(join(this.root, 'template', 'postgresql.conf'), 'utf8');
    const extra = [`listen_addresses = '${address}'`, `cluster_name = '${name}'`, "wal_log_hints = on", "wal_keep_size = '64MB'", 'fsync = off', 'shared_buffers = 16MB', 'max_connections = 20', `hba_file = '${confDir}/pg_hba.conf'`, `ident_file = '${confDir}/pg_ident.conf'`];
    await writeFile(join(confDir, 'postgresql.conf'), `${base}\n${extra.join('\n')}\n`);
    await run('chown', ['-R', 'postgres:postgres', dir, confDir, socketDir]);
    const options = postgresAgentOptions.parse({
      dataDir: join(dir, 'data'),
      configFile: join(confDir, 'postgresql.conf'),
      port: this.port,
      socketDir,
      superuser: SUPERUSER,
      password: { env: PASSWORD_ENV },
      startTimeoutMs: 30_000,
      stopTimeoutMs: 10_000,
      ...opts.options,
    });
    if (options.password.resolve(process.env) !== undefined) throw new Error('test password did not resolve');
    const node: NodeInfo = { name, nics: { storage: { name: 'lo', address, prefixLength: 8 } } };
    return { node, options };
  }

  /** psql as the superuser against a node's address; returns trimmed stdout. */
  async sql(address: string, sql: string): Promise<string> {
    const dsn = `host=${address} port=${this.port} user=${SUPERUSER} dbname=postgres connect_timeout=5`;
    const { stdout } = await run(join(this.bin, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql], { env: { ...process.env, PGPASSWORD: this.password }, timeout: 20_000 });
    return stdout.trim();
  }

  /** Stop every server under the root (immediate) and remove it. */
  async cleanup(dataDirs: readonly string[]): Promise<void> {
    for (const dataDir of dataDirs) {
      await asPostgres([join(this.bin, 'pg_ctl'), 'stop', '-m', 'immediate', '-w', '-t', '10', '-D', dataDir]).catch(() => undefined);
    }
    await rm(this.root, { recursive: true, force: true });
  }
}
