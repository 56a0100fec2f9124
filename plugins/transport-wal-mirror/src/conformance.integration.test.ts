import { createServer, type Server, type Socket } from 'node:net';
import { afterAll } from 'vitest';
import { describeReplicationTransportConformance } from '@tandem/testkit';
import { pidFileOf } from './options.js';
import { runningReceiver } from './receiver-process.js';
import { WalPair } from './test-support/wal-pair.js';

let pair: Promise<WalPair> | undefined;
let silent: Server | undefined;
const sockets = new Set<Socket>();
let count = 0;

afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent?.close();
  if (pair) await (await pair).cleanup();
}, 60_000);

/** A TCP port that accepts and never answers: pg_receivewal's slot creation hangs on it. */
async function silentPort(): Promise<number> {
  silent ??= await new Promise<Server>((resolve) => {
    const server = createServer((socket) => sockets.add(socket));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
  return (silent.address() as { port: number }).port;
}

/** One real primary/standby pair for every check; each subject mirrors into a directory of its own. */
describeReplicationTransportConformance('transport-wal-mirror (real PostgreSQL 15, pg_receivewal)', {
  timeoutMs: 20_000,
  testTimeoutMs: 90_000,
  async create() {
    pair ??= WalPair.create();
    const p = await pair;
    count += 1;
    const transport = p.transport({ mirrorDir: `${p.root}/mirror-${count}` });
    return { transport, cleanup: async () => void (await transport.stop({ signal: AbortSignal.timeout(15_000), timeoutMs: 15_000 })) };
  },
  async slow() {
    pair ??= WalPair.create();
    const p = await pair;
    count += 1;
    const transport = p.transport({ mirrorDir: `${p.root}/mirror-${count}`, port: await silentPort() });
    return {
      transport,
      busy: async () => (await runningReceiver(pidFileOf(transport.options), transport.options.mirrorDir)) !== undefined,
      cleanup: async () => void (await transport.stop({ signal: AbortSignal.timeout(15_000), timeoutMs: 15_000 })),
    };
  },
});
