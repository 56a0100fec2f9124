import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreConformance } from '@tandem/testkit';
import { SqliteCoordinationStore } from './sqlite-coordination-store.js';

// Real file, real WAL, real waiting for expiry (the system clock is the only clock several processes share).
describeStoreConformance('SqliteCoordinationStore (tmp file, system clock)', {
  create: async ({ eventsMax }) => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-sqlite-'));
    const path = join(dir, 'store.sqlite');
    const open = (): SqliteCoordinationStore => new SqliteCoordinationStore({ path, eventsMax, busyTimeoutMs: 2000 });
    return {
      store: open(),
      // Each client is its own database connection, as another agent process would be.
      connect: async () => open(),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
