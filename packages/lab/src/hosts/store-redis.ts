import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { waitForPort } from './wait-for-port.js';

/**
 * A real redis-server on the store host. No persistence: the lab's store is
 * for coordination tests, and a fresh lab should start empty.
 */
export async function startStoreRedis(lab: Lab, address: string, port: number): Promise<void> {
  const host = lab.host('store');
  await lab.addService('store', {
    name: 'redis',
    argv: ['redis-server', '--bind', address, '--port', String(port), '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', join(host.dir, 'run')],
  });
  await waitForPort(lab.host('client').namespace, address, port, 10_000, 'redis-server on the store host');
}
