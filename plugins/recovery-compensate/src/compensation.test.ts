import { describe, expect, it } from 'vitest';
import type { RecoveryInput } from '@tandem/core';
import { compensationPlan } from './compensation-plan.js';
import { compensateOptions } from './options.js';
import { compensationStatements, restoreCommand, sqlLiteral } from './restore-command.js';

const input: RecoveryInput = { failed: { name: 'p', nics: {} }, candidate: { name: 's', nics: {} }, epoch: 7, kind: 'failover', acceptDataLoss: false };

describe('recovery-compensate', () => {
  it('serves the complete segment, else the partial one, from the mirror', () => {
    expect(restoreCommand('/var/lib/pg/mirror/')).toBe('cp /var/lib/pg/mirror/%f %p 2>/dev/null || cp /var/lib/pg/mirror/%f.partial %p 2>/dev/null');
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(compensationStatements('/m', 200)).toEqual([
      "alter system set restore_command = 'cp /m/%f %p 2>/dev/null || cp /m/%f.partial %p 2>/dev/null'",
      "alter system set primary_conninfo = ''",
      "alter system set wal_retrieve_retry_interval = '200ms'",
      'select pg_reload_conf()',
    ]);
  });

  it('plans the steps in order, naming the nodes and the epoch', () => {
    const plan = compensationPlan(input, '/m');
    expect(plan.steps.map((s) => s.id)).toEqual(['read-mirror', 'compare', 'feed-mirror', 'resume-replay', 'wait-replay', 'verify']);
    expect(plan.summary).toBe('compensate s from the WAL mirror /m before promotion at epoch 7 (failover from p)');
    expect(compensationPlan({ ...input, acceptDataLoss: true }, '/m').steps[0]?.description).toContain('data loss accepted');
  });

  it('refuses a mirror path a shell would misread', () => {
    const r = compensateOptions.safeParse({ mirrorDir: '/m; rm -rf /' });
    expect(r.success).toBe(false);
    expect(r.success ? '' : r.error.issues[0]?.message).toMatch(/^mirrorDir must be an absolute path of letters/);
    expect(compensateOptions.parse({ mirrorDir: '/m' })).toMatchObject({ osUser: 'postgres', retryIntervalMs: 200, standby: { port: 5432 } });
  });
});
