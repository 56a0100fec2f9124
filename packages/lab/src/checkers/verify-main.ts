#!/usr/bin/env node
/**
 * The lab's verifier, run inside the client namespace after a workload:
 *   PGPASSWORD=... node verify-main.js --target 192.0.2.100:5432 --log w.jsonl
 *     [--database postgres] [--user tandem] [--merge-gap-ms 500]
 * Prints one JSON report ({verify, splitBrain, outages, log}) to stdout and
 * exits 0 whatever it found (the caller judges); 2 on bad arguments, 1 when
 * the log or the database could not be read.
 */
import { parseArgs } from 'node:util';
import { parseAddress } from './workload-args.js';
import { readStoredRows } from './read-stored-rows.js';
import { readWorkloadLog } from './read-workload-log.js';
import { buildVerifyReport } from './verify-report.js';

function parse(argv: readonly string[]): { target: { host: string; port: number }; database: string; user: string; log: string; mergeGapMs: number } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      target: { type: 'string' },
      database: { type: 'string', default: 'postgres' },
      user: { type: 'string', default: 'postgres' },
      log: { type: 'string' },
      'merge-gap-ms': { type: 'string', default: '500' },
    },
    strict: true,
  });
  if (values.target === undefined || values.log === undefined) throw new Error('--target host:port and --log <workload.jsonl> are required');
  const mergeGapMs = Number(values['merge-gap-ms']);
  if (!Number.isFinite(mergeGapMs) || mergeGapMs < 0) throw new Error(`--merge-gap-ms: "${values['merge-gap-ms']}" is not a number of ms`);
  return { target: parseAddress(values.target, '--target'), database: values.database, user: values.user, log: values.log, mergeGapMs };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`verify: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const log = await readWorkloadLog(args.log);
    const writers = [...new Set(log.attempts.map((a) => a.writer))];
    const rows = await readStoredRows({ ...args.target, database: args.database, user: args.user, password: process.env.PGPASSWORD ?? '' }, { writers });
    process.stdout.write(`${JSON.stringify(buildVerifyReport(log, rows, args.mergeGapMs))}\n`);
    return 0;
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
    return 1;
  }
}

process.exitCode = await main();
