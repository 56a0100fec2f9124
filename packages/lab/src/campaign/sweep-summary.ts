import { percentiles, type Percentiles } from '../checkers/percentiles.js';
import type { CampaignReport } from './campaign-report.js';

/** One seed of a sweep: its report, or why the campaign could not run it. */
export interface SeedResult {
  readonly seed: number;
  readonly report?: CampaignReport;
  readonly error?: string;
}

export interface SweepSummary {
  readonly sweep: number;
  readonly config: string;
  readonly faults: number;
  readonly seeds: readonly number[];
  /** Seeds that lost an acknowledged write, had split brain, a stuck outage, another checker finding, or did not run. */
  readonly failedSeeds: readonly number[];
  /** Seeds whose campaign did not complete (the lab did not start, the verifier failed). */
  readonly errors: number;
  readonly lostAckedWrites: number;
  readonly splitBrainWindows: number;
  readonly stuckOutages: number;
  readonly unrestorableOutages: number;
  readonly falseFailovers: number;
  /** Over every outage of every seed: from the fault to the first acknowledged write after it. */
  readonly restoreMs: Percentiles | undefined;
  readonly ok: boolean;
}

/** A seed fails the sweep when its campaign did not run or the checkers found a problem (a stuck outage among them). */
export function seedFailed(result: SeedResult): boolean {
  return result.report === undefined || !result.report.ok;
}

/** Restore times of a report's outages that came back (what its restore percentiles are taken over). */
export function restoreTimes(report: CampaignReport): number[] {
  return report.steps.flatMap((s) => (s.restoreMs === undefined || s.restoreMs === 0 ? [] : [s.restoreMs]));
}

export function summarizeSweep(config: string, faults: number, results: readonly SeedResult[]): SweepSummary {
  const reports = results.flatMap((r) => (r.report ? [r.report] : []));
  const sum = (f: (r: CampaignReport) => number): number => reports.reduce((total, r) => total + f(r), 0);
  const failedSeeds = results.filter(seedFailed).map((r) => r.seed);
  return {
    sweep: results.length,
    config,
    faults,
    seeds: results.map((r) => r.seed),
    failedSeeds,
    errors: results.filter((r) => r.report === undefined).length,
    lostAckedWrites: sum((r) => r.writes.lostAcked),
    splitBrainWindows: sum((r) => r.splitBrain.windows),
    stuckOutages: sum((r) => r.outages.stuck),
    unrestorableOutages: sum((r) => r.outages.unrestorable),
    falseFailovers: sum((r) => r.falseFailovers.count),
    restoreMs: percentiles(reports.flatMap(restoreTimes)),
    ok: failedSeeds.length === 0,
  };
}

const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value} ms`);

/** One line per seed: the verdict, the totals that matter, and how to replay it. */
export function seedLine(result: SeedResult, replay: string): string {
  const head = `seed ${result.seed}:`;
  if (result.report === undefined) return `${head} ERROR ${result.error ?? 'unknown'}; replay: ${replay}`;
  const r = result.report;
  const restore = percentiles(restoreTimes(r));
  const skipped = r.steps.filter((s) => s.skipped !== undefined).length;
  const fields = [
    `lost ${r.writes.lostAcked}`,
    `split-brain ${r.splitBrain.windows}`,
    `stuck ${r.outages.stuck}`,
    `unrestorable ${r.outages.unrestorable}`,
    `false failovers ${r.falseFailovers.count}`,
    `failovers ${r.failovers.count}`,
    `skipped ${skipped}/${r.steps.length}`,
    `restore p50 ${ms(restore?.p50)} p99 ${ms(restore?.p99)}`,
  ];
  return `${head} ${r.ok ? 'ok' : 'FAILED'} (${fields.join(', ')}); replay: ${replay}`;
}

/** The command that replays one seed of a sweep: the sweep's own arguments, without --sweep, with --seed. */
export function replayCommand(argv: readonly string[], seed: number): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--sweep' || arg === '--seed' || arg === '--out') i++;
    else if (!/^--(sweep|seed|out)=/.test(arg)) kept.push(arg);
  }
  return `npm run campaign -- ${[...kept, '--seed', String(seed)].join(' ')}`;
}
