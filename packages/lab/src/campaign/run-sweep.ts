import { randomInt } from 'node:crypto';
import { releaseLab } from '../hosts/exit-guard.js';
import { listLabRecords, unregisterLab } from '../topology/lab-registry.js';
import { removeNamespaces } from '../topology/namespace-cleanup.js';
import { runCampaign, type CampaignOptions } from './run-campaign.js';
import { seedLine, summarizeSweep, type SeedResult, type SweepSummary } from './sweep-summary.js';

export interface SweepOptions extends Omit<CampaignOptions, 'seed' | 'outFile'> {
  /** How many seeds, each on a new lab. */
  readonly count: number;
  /** The seeds to run; default `count` seeds from a random source. */
  readonly seeds?: readonly number[];
  /** The command that replays one seed alone, for the per-seed line. */
  readonly replay: (seed: number) => string;
  /** Each seed's line as soon as it is known. */
  readonly onSeed?: (line: string, result: SeedResult) => void;
}

/** Seeds for a sweep: from the system's random source, so each sweep tries new schedules; each is printed and replayable. */
export function randomSeeds(count: number): number[] {
  return Array.from({ length: count }, () => randomInt(1, 2 ** 31 - 1));
}

/**
 * Take down whatever lab this process still owns: a seed whose teardown
 * failed must not leave namespaces (and addresses) to the next seed, and
 * Lab.up's own sweep spares labs of a live owner.
 */
export async function removeOwnLabs(log: (line: string) => void): Promise<void> {
  for (const record of await listLabRecords()) {
    if (record.ownerPid !== process.pid) continue;
    log(`campaign: removing lab ${record.id}, left behind by a seed`);
    await removeNamespaces(record.namespaces);
    await unregisterLab(record.id);
    releaseLab(record.id);
  }
}

/** Run the campaign once per seed, each on its own lab, and sum the checkers' findings. */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seeds = options.seeds ?? randomSeeds(options.count);
  log(`campaign: sweep of ${seeds.length} seeds: ${seeds.join(' ')}`);
  const results: SeedResult[] = [];
  for (const [i, seed] of seeds.entries()) {
    log(`campaign: sweep seed ${i + 1}/${seeds.length}: ${seed}`);
    let result: SeedResult;
    try {
      result = { seed, report: await runCampaign({ ...options, seed }) };
    } catch (error) {
      // Without a lab no seed can run: stop, as a single campaign does.
      if (/the lab cannot start/.test((error as Error).message)) throw error;
      result = { seed, error: (error as Error).message.split('\n').join(' ') };
    }
    await removeOwnLabs(log).catch((error: unknown) => log(`campaign: cleaning up after seed ${seed} failed: ${(error as Error).message}`));
    results.push(result);
    options.onSeed?.(seedLine(result, options.replay(seed)), result);
  }
  return summarizeSweep(options.configPath ?? `baseline (${options.servers ?? 3} servers)`, options.faults, results);
}
