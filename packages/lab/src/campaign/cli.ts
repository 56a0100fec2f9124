#!/usr/bin/env node
/**
 * npm run campaign -- --faults N --seed S [--servers 3] [--kinds power-off,isolate] [--min-hold-ms 3000]
 *   [--max-hold-ms 8000] [--out report.json] [--json]
 * npm run campaign -- --config FILE --sweep 30 --faults 6
 * Prints a table (or the JSON report with --json) and exits 0 when the checkers
 * found nothing wrong, 1 when they did, 2 on bad arguments, 5 when the lab cannot start.
 * A sweep prints one line per seed and one summary JSON line; it exits 1 when any seed failed.
 */
import { parseArgs } from 'node:util';
import { STEP_KINDS, type StepKind } from './campaign-plan.js';
import { campaignTable } from './campaign-table.js';
import { runCampaign } from './run-campaign.js';
import { runSweep } from './run-sweep.js';
import { replayCommand } from './sweep-summary.js';

function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: "${text}" is not a whole number`);
  return value;
}

function kinds(text: string | undefined): StepKind[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((k) => k.trim());
  const bad = list.filter((k) => !STEP_KINDS.includes(k as StepKind));
  if (bad.length > 0) throw new Error(`--kinds: unknown ${bad.join(', ')}; choose from ${STEP_KINDS.join(', ')}`);
  return list as StepKind[];
}

const USAGE = `usage: npm run campaign -- --faults N --seed S [options]
  --faults N          faults to inject (default 5)
  --seed S            the schedule's seed: the same seed gives the same schedule (default 1)
  --config FILE       a Tandem config: the lab is built from its nodes and its agents run the
                      cluster (without it: the baseline, PostgreSQL with no HA manager)
  --servers N         servers in the baseline lab, 2 to 9 (default 3)
  --kinds a,b         only these faults: ${STEP_KINDS.join(', ')}
  --min-hold-ms N     shortest time a fault stays (default 3000)
  --max-hold-ms N     longest time a fault stays (default 8000)
  --restore-timeout-ms N
                      after a heal, how long service may take to come back before the outage
                      is judged stuck or unrestorable (default 30000)
  --out FILE          also write the JSON report to FILE
  --json              print the JSON report instead of the table
  --sweep N           run N seeds (drawn at random and printed; replay one with --seed), a new
                      lab for each: one line per seed, then one summary JSON line with the totals
Needs root. Exit 0: the checkers found nothing wrong; 1: they did (or the run failed; in a
sweep: any seed lost an acknowledged write, had split brain or a stuck outage, or did not run);
2: bad arguments; 5: the lab cannot start (not root, a missing package).`;


async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: Parameters<typeof runCampaign>[0];
  let json = false;
  let sweep: number | undefined;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        faults: { type: 'string' },
        seed: { type: 'string' },
        servers: { type: 'string' },
        config: { type: 'string' },
        kinds: { type: 'string' },
        'min-hold-ms': { type: 'string' },
        'max-hold-ms': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        sweep: { type: 'string' },
        'restore-timeout-ms': { type: 'string' },
      },
    });
    json = values.json;
    if (values.sweep !== undefined) {
      sweep = int('sweep', values.sweep, 0);
      if (sweep < 1) throw new Error('--sweep: at least 1 seed');
      if (values.seed !== undefined || values.out !== undefined || values.json) throw new Error('--sweep picks its own seeds and prints JSON lines: not with --seed, --out or --json');
    }
    const chosen = kinds(values.kinds);
    options = {
      faults: int('faults', values.faults, 5),
      seed: int('seed', values.seed, 1),
      servers: int('servers', values.servers, 3),
      minHoldMs: int('min-hold-ms', values['min-hold-ms'], 3000),
      maxHoldMs: int('max-hold-ms', values['max-hold-ms'], 8000),
      restoreTimeoutMs: int('restore-timeout-ms', values['restore-timeout-ms'], 30_000),
      ...(chosen ? { kinds: chosen } : {}),
      ...(values.out ? { outFile: values.out } : {}),
      ...(values.config ? { configPath: values.config } : {}),
    };
    if (options.servers !== undefined && (options.servers < 2 || options.servers > 9)) throw new Error('--servers: 2 to 9');
  } catch (error) {
    process.stderr.write(`campaign: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (sweep !== undefined) return sweepMain(options, sweep);
  try {
    const report = await runCampaign(options);
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${campaignTable(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`campaign: ${(error as Error).message}\n`);
    return /cannot start/.test((error as Error).message) ? 5 : 1;
  }
}

async function sweepMain(options: Parameters<typeof runCampaign>[0], count: number): Promise<number> {
  const argv = process.argv.slice(2);
  try {
    const summary = await runSweep({ ...options, count, replay: (seed) => replayCommand(argv, seed), onSeed: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`campaign: ${(error as Error).message}\n`);
    return /cannot start/.test((error as Error).message) ? 5 : 1;
  }
}

process.exitCode = await main();
