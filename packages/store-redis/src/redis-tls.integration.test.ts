import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MemoryLogger, StoreUnavailableError, SystemClock, findSecrets, store as storeSchema } from '@tandem/core';
import { startRedisServer, type RedisServer } from '@tandem/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStoreConfig } from './create-redis-store.js';

const run = promisify(execFile);

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = async (args: string[]): Promise<void> => {
    try {
      await run('openssl', args, { cwd: dir, timeout: 30_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed; install it with: apt-get install -y openssl');
      throw error;
    }
  };
  await writeFile(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=tandem-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.cnf', '-out', 'server.crt']);
}

describe('RedisCoordinationStore over TLS with an ACL user, built from config by createRedisStore', () => {
  let dir: string;
  let server: RedisServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-redis-tls-'));
    await makeCertificates(dir);
    await writeFile(join(dir, 'password'), 'tls-pass\n');
    server = await startRedisServer({
      tlsOnly: true,
      extraArgs: [
        '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'),
        '--tls-auth-clients', 'no',
        '--user', 'agent', 'on', '>tls-pass', '~tandem:*', '+@all',
        '--user', 'default', 'off',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await server?.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  function config(tls: Record<string, string>): RedisStoreConfig {
    const parsed = storeSchema.parse({ type: 'redis', host: '127.0.0.1', port: server.port, username: 'agent', password: { file: join(dir, 'password') }, tls });
    for (const { secret } of findSecrets(parsed)) expect(secret.resolve({})).toBeUndefined();
    if (parsed.type !== 'redis') throw new Error('expected a redis store config');
    return parsed;
  }

  it('connects with the CA, a password read from a secret file, and runs a lease round', async () => {
    expect.hasAssertions();
    const store = createRedisStore(config({ ca: join(dir, 'ca.crt'), servername: 'localhost' }), { clock: new SystemClock(), logger: new MemoryLogger(), timeoutMs: 2000 });
    try {
      expect(await store.acquireLease('db1', 5000)).toMatchObject({ acquired: true, lease: { holder: 'db1', epoch: 1 } });
      expect(await store.releaseLease('db1', 1)).toBe(true);
      expect(await store.lastEpoch()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('refuses a server whose certificate it cannot verify, with StoreUnavailableError', async () => {
    expect.hasAssertions();
    const store = createRedisStore(config({ servername: 'localhost' }), { clock: new SystemClock(), logger: new MemoryLogger(), timeoutMs: 800 });
    try {
      await expect(store.readLease()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readLease()).rejects.toThrow(/certificate/i);
    } finally {
      await store.close();
    }
  });

  it('names the config path when a TLS file cannot be read', () => {
    expect.hasAssertions();
    expect(() => createRedisStore(config({ ca: join(dir, 'missing.crt') }), { clock: new SystemClock(), logger: new MemoryLogger() })).toThrow(
      expect.objectContaining({ kind: 'invalidConfig', problems: [expect.objectContaining({ path: 'store.tls.ca' })] }),
    );
  });
});
