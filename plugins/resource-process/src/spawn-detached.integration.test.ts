import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnDetached } from './spawn-detached.js';

describe('issue 14, row: an agent started with `TANDEM_REDIS_PASSWORD` in its environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-spawn-env-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the managed service does not inherit it: it gets the allowlist and its configured env only', async () => {
    const saved = process.env.TANDEM_REDIS_PASSWORD;
    process.env.TANDEM_REDIS_PASSWORD = 'redis-secret-in-agent-env';
    try {
      const logFile = join(dir, 'service.log');
      const spawned = await spawnDetached(['env'], { env: { SERVICE_SETTING: 'on' }, logFile });
      expect(spawned.kind).toBe('spawned');
      if (spawned.kind === 'spawned') await new Promise((resolve) => (spawned.exited() ? resolve(undefined) : spawned.child.once('exit', resolve)));
      const names = readFileSync(logFile, 'utf8').split('\n').map((l) => l.split('=')[0]);
      expect(names).not.toContain('TANDEM_REDIS_PASSWORD');
      expect(names).toEqual(expect.arrayContaining(['PATH', 'SERVICE_SETTING']));
    } finally {
      if (saved === undefined) delete process.env.TANDEM_REDIS_PASSWORD;
      else process.env.TANDEM_REDIS_PASSWORD = saved;
    }
  });
});
