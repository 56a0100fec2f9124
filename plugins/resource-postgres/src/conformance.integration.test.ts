import { afterAll } from 'vitest';
import { ExecaCommandRunner, SystemClock } from '@tandem/core';
import { describeResourceAgentConformance } from '@tandem/testkit';
import { PgTools } from './pg-tools.js';
import { PostgresAgent } from './postgres-agent.js';
import { PgFixture } from './test-support/pg-fixture.js';

let fixture: Promise<PgFixture> | undefined;
const dataDirs: string[] = [];
let count = 0;

afterAll(async () => {
  if (fixture) await (await fixture).cleanup(dataDirs);
}, 60_000);

/**
 * The conformance suite against a real PostgreSQL per check (a copy of one
 * initdb'd template). demoteMode `standby`: the suite expects a demoted
 * resource to keep running as a replica; the default mode (`stop`) stops
 * it instead, which the loopback integration test covers.
 */
describeResourceAgentConformance('resource-postgres (real PostgreSQL 15, demoteMode standby)', {
  roles: true,
  timeoutMs: 20_000,
  testTimeoutMs: 90_000,
  async create() {
    fixture ??= PgFixture.create();
    const fx = await fixture;
    count += 1;
    const { node, options } = await fx.node(`c${count}`, 10 + count, { options: { demoteMode: 'standby' } });
    dataDirs.push(options.dataDir);
    const agent = new PostgresAgent(new PgTools(options, new ExecaCommandRunner(), fx.bin), { self: node, nodes: [node] }, new SystemClock());
    return {
      agent,
      cleanup: async () => {
        await new PgTools(options, new ExecaCommandRunner(), fx.bin).run([`${fx.bin}/pg_ctl`, 'stop', '-m', 'immediate', '-D', options.dataDir], { timeoutMs: 15_000 }).catch(() => undefined);
      },
    };
  },
});
