import { describe, expect, it } from 'vitest';
import { sensitive } from './command-runner.js';
import { ExecaCommandRunner } from './execa-command-runner.js';

describe('issue 14, row: an agent started with `TANDEM_REDIS_PASSWORD` in its environment', () => {
  it('a real child (`env` through ExecaCommandRunner) does not get it, nor anything outside the allowlist', async () => {
    const saved = { redis: process.env.TANDEM_REDIS_PASSWORD, other: process.env.TANDEM_TEST_UNLISTED };
    process.env.TANDEM_REDIS_PASSWORD = 'redis-secret-in-agent-env';
    process.env.TANDEM_TEST_UNLISTED = 'x';
    try {
      const r = await new ExecaCommandRunner().run({ file: 'env', args: [], timeoutMs: 5000, env: { TANDEM_ASKED: 'yes', PGPASSWORD: sensitive('asked-for-pw') } });
      expect(r.kind).toBe('exited');
      const names = r.kind === 'exited' ? r.stdout.split('\n').map((l) => l.split('=')[0]) : [];
      expect(names).not.toContain('TANDEM_REDIS_PASSWORD');
      expect(names).not.toContain('TANDEM_TEST_UNLISTED');
      expect(names).toEqual(expect.arrayContaining(['PATH', 'TANDEM_ASKED', 'PGPASSWORD']));
      // The plugin's own secret reached the child, and is scrubbed from what the child printed.
      expect(r.kind === 'exited' && r.stdout).toContain('PGPASSWORD=***');
      expect(r.kind === 'exited' && r.stdout).not.toContain('redis-secret-in-agent-env');
    } finally {
      for (const [name, value] of [['TANDEM_REDIS_PASSWORD', saved.redis], ['TANDEM_TEST_UNLISTED', saved.other]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
