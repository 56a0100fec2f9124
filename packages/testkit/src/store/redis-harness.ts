import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import { startRedisProcess, type RedisProcess } from './redis-process.js';

export const LOOPBACK = '127.0.0.1';

/** A real redis-server (or redis-sentinel) on loopback, in its own tmp dir. */
export interface RedisServer extends RedisProcess {
  readonly host: string;
  readonly dir: string;
  /** Stop the process and remove its dir. Use in afterAll. */
  cleanup(): Promise<void>;
}

export interface RedisServerOptions {
  /** Make it a replica of this loopback port; resolves once the first sync finished. */
  readonly replicaOfPort?: number;
  /** Extra command-line options, e.g. ['--tls-port', '...']. */
  readonly extraArgs?: readonly string[];
  /** Set `port 0` and listen on TLS only, with the given port (the extra args must hold the tls-* files). */
  readonly tlsOnly?: boolean;
  readonly startTimeoutMs?: number;
  /** Listen on this port instead of a free one (to restart a server where its clients expect it). */
  readonly port?: number;
}

function withCleanup(proc: RedisProcess, dir: string): RedisServer {
  return {
    ...proc,
    host: LOOPBACK,
    dir,
    async cleanup(): Promise<void> {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Start `redis-server --bind 127.0.0.1 --save '' --appendonly no` on a free
 * port. Fails loudly, naming the apt package, if redis-server is missing.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-redis-'));
  const port = options.port ?? (await freeLoopbackPort());
  const args = [
    '--port', options.tlsOnly === true ? '0' : String(port),
    ...(options.tlsOnly === true ? ['--tls-port', String(port)] : []),
    '--bind', LOOPBACK,
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    // Replicas sync at once instead of waiting for more replicas to join a diskless transfer.
    '--repl-diskless-sync-delay', '0',
    ...(options.replicaOfPort === undefined ? [] : ['--replicaof', LOOPBACK, String(options.replicaOfPort)]),
    ...(options.extraArgs ?? []),
  ];
  const ready = options.replicaOfPort === undefined ? /Ready to accept connections/ : /MASTER <-> REPLICA sync: Finished with success/;
  try {
    const proc = await startRedisProcess({ binary: 'redis-server', args, port, cwd: dir, ready, startTimeoutMs: options.startTimeoutMs });
    return withCleanup(proc, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface RedisSentinelOptions {
  readonly masterName: string;
  readonly masterPort: number;
  readonly quorum: number;
  /** How long the master must be silent before a sentinel calls it down. */
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
}

/** Start `redis-sentinel` monitoring a loopback master; it needs a writable config file, kept in its tmp dir. */
export async function startRedisSentinel(options: RedisSentinelOptions): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-sentinel-'));
  const port = await freeLoopbackPort();
  const config = [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    `dir ${dir}`,
    `sentinel monitor ${options.masterName} ${LOOPBACK} ${options.masterPort} ${options.quorum}`,
    `sentinel down-after-milliseconds ${options.masterName} ${options.downAfterMs ?? 1000}`,
    `sentinel failover-timeout ${options.masterName} ${options.failoverTimeoutMs ?? 5000}`,
    `sentinel parallel-syncs ${options.masterName} 1`,
    '',
  ].join('\n');
  const file = join(dir, 'sentinel.conf');
  await writeFile(file, config);
  try {
    const proc = await startRedisProcess({ binary: 'redis-sentinel', args: [file], port, cwd: dir, ready: /\+monitor master/ });
    return withCleanup(proc, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
