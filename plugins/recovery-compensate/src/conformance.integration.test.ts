import { afterAll } from 'vitest';
import { SystemClock, type RecoveryInput } from '@tandem/core';
import { describeRecoveryStrategyConformance } from '@tandem/testkit';
import type { WalMirrorTransport } from '@tandem/plugin-transport-wal-mirror';
import { WalPair } from '../../transport-wal-mirror/src/test-support/wal-pair.js';
import { CompensateStrategy } from './compensate-strategy.js';
import { compensateOptions } from './options.js';

let setup: Promise<{ pair: WalPair; transport: WalMirrorTransport }> | undefined;

afterAll(async () => {
  if (!setup) return;
  const { pair, transport } = await setup;
  await transport.stop({ signal: AbortSignal.timeout(15_000), timeoutMs: 15_000 });
  await pair.cleanup();
}, 60_000);

async function start(): Promise<{ pair: WalPair; transport: WalMirrorTransport }> {
  const pair = await WalPair.create();
  const transport = pair.transport();
  const started = await transport.start({ signal: AbortSignal.timeout(20_000), timeoutMs: 20_000 });
  if (started.code !== 'ok') throw new Error(`mirror did not start: ${started.reason}`);
  await pair.sql('p', 'create table t (i int)', 'insert into t values (1)');
  // Wait until the mirror holds a complete record to compare with.
  for (let i = 0; i < 50 && (await transport.inFlight({ signal: AbortSignal.timeout(5_000), timeoutMs: 5_000 })).code !== 'ok'; i++) await new Promise((r) => setTimeout(r, 100));
  return { pair, transport };
}

const input: RecoveryInput = { failed: { name: 'p', nics: {} }, candidate: { name: 's', nics: {} }, epoch: 5, kind: 'switchover', acceptDataLoss: false };

/** A healthy standby with a running mirror: execute must succeed with zero loss (whatever it had to replay). */
describeRecoveryStrategyConformance('recovery-compensate (real PostgreSQL 15 standby and mirror)', {
  timeoutMs: 30_000,
  testTimeoutMs: 90_000,
  async create() {
    setup ??= start();
    const { pair } = await setup;
    const options = compensateOptions.parse({ mirrorDir: pair.mirrorDir, binDir: pair.bin, standby: { socketDir: pair.socketDir('s'), port: pair.standbyPort, user: 'tandem' } });
    return { strategy: new CompensateStrategy(options, pair.tools(), new SystemClock()), input };
  },
});
