import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger, SimulatedClock, store as storeSchema } from '@tandem/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_STORE_FILE, createEmbeddedStore } from './create-embedded-store.js';

describe('createEmbeddedStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-embedded-factory-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts the file in the state dir by default and judges expiry on the given clock', async () => {
    expect.hasAssertions();
    const config = storeSchema.parse(undefined);
    if (config.type !== 'embedded') throw new Error('the default store should be embedded');
    const clock = new SimulatedClock();
    const store = createEmbeddedStore(config, { clock, logger: new MemoryLogger(), stateDir: dir });
    expect(existsSync(join(dir, DEFAULT_STORE_FILE))).toBe(true);
    expect(await store.acquireLease('a', 1000)).toMatchObject({ acquired: true, lease: { remainingMs: 1000 } });
    // Wall time is what this store reads (shared by the processes of one machine), so a wall step moves expiry.
    clock.jumpWall(1000);
    expect(await store.readLease()).toBeUndefined();
    await store.close();
  });

  it('uses store.path when given', async () => {
    expect.hasAssertions();
    const path = join(dir, 'custom.sqlite');
    const config = storeSchema.parse({ type: 'embedded', path });
    if (config.type !== 'embedded') throw new Error('expected embedded');
    const store = createEmbeddedStore(config, { clock: new SimulatedClock(), logger: new MemoryLogger(), stateDir: join(dir, 'unused') });
    await store.appendEvent({ atWallMs: 1, node: 'a', type: 't', message: 'm' });
    expect(existsSync(path)).toBe(true);
    await store.close();
  });
});
