import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { waitForPort } from './wait-for-port.js';

/**
 * A real redis-server on the store host, set up as store-redis asks in
 * production: append-only file, fsync on every write, so a restart keeps the
 * lease and the epoch counter (epochs must never go back). The file lives in
 * the host's run directory, so a fresh lab starts empty.
 */
export async function startStoreRedis(lab: Lab, address: string, port: number): Promise<void> {
  const host = lab.host('store');
  await lab.addService('store', {
    name: 'redis',
    argv: ['redis-server', '--bind', address, '--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no', '--dir', join(host.dir, 'run')],
  });
  await waitForPort(lab.host('client').namespace, address, port, 10_000, 'redis-server on the store host');
}
