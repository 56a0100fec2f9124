import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';
import { LabWorkload } from '../campaign/workload-run.js';
import { BackgroundLoad } from './background-load.js';
import { injectFault } from '../faults/inject-fault.js';
import { findRestorePoint, powerCutMs } from './restore-point.js';
import { buildTrialsReport } from './summarize-trials.js';
import type { FailoverTrial, FailoverTrialsReport } from './trial-records.js';

export interface FailoverTrialsOptions {
  readonly lab: Lab;
  /** Where the workload connects: user, password, port, database, and the servers it polls. */
  readonly pg: LabPostgres;
  /** The address clients write to (a VIP). */
  readonly serviceAddress: string;
  readonly trials: number;
  /** Only a power cut of the primary through its BMC, for now. */
  readonly fault?: 'power-off';
  /** The server the system says is primary now, or undefined while there is none. */
  readonly whoIsPrimary: () => Promise<string | undefined>;
  /** Bring the old primary back as a replica (it is already powered on). */
  readonly repair: (oldPrimary: string) => Promise<void>;
  /** Is the cluster healthy (replicas streaming ...)? Default: a primary is known. */
  readonly ready?: () => Promise<boolean>;
  /** Quiet time after a trial before the next one. Default 2 s. */
  readonly settleMs?: number;
  /** How long after the fault service may take to come back. Default 120 s. */
  readonly restoreTimeoutMs?: number;
  /** How long the cluster may take to be ready (at start, after a repair). Default 180 s. */
  readonly readyTimeoutMs?: number;
  readonly writeIntervalMs?: number;
  /** pgbench connections writing through the service address during the trials (0: none, the default). */
  readonly loadClients?: number;
  readonly log?: (line: string) => void;
}

const POLL_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Power off the primary N times while a client writes through the service
 * address; measure each time to restore, then verify every acknowledged
 * write against what the database kept. One run per lab: the workload's log
 * and writer id are the lab's.
 */
export async function runFailoverTrials(options: FailoverTrialsOptions): Promise<FailoverTrialsReport> {
  const { lab, pg } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(join(lab.dir, 'workload.jsonl'))) throw new Error(`trials: lab ${lab.id} already has a workload log; run the trials once per lab`);
  const workload = LabWorkload.start(lab, pg, options.serviceAddress, options.writeIntervalMs ?? 50);
  const trials: FailoverTrial[] = [];
  let load: BackgroundLoad | undefined;
  try {
    await waitReady(options, workload, 'at start');
    if ((options.loadClients ?? 0) > 0) load = await BackgroundLoad.start(lab, pg, options.serviceAddress, options.loadClients ?? 0);
    for (let index = 0; index < options.trials; index += 1) {
      const trial = await runTrial(options, workload, index, log);
      trials.push(trial);
      if (trial.error !== undefined) {
        log(`trials: trial ${index + 1} failed (${trial.error}); stopping`);
        break;
      }
      await sleep(options.settleMs ?? 2000);
    }
  } finally {
    await load?.stop();
    await workload.stop();
  }
  const verify = await workload.verify(500);
  const report = buildTrialsReport(trials, (await workload.read()).attempts, verify);
  return load === undefined ? report : { ...report, load: await load.verify(pg, options.serviceAddress) };
}

async function runTrial(options: FailoverTrialsOptions, workload: LabWorkload, index: number, log: (line: string) => void): Promise<FailoverTrial> {
  const { lab } = options;
  const startMs = Date.now();
  const oldPrimary = await options.whoIsPrimary();
  if (oldPrimary === undefined) return { index, startMs, oldPrimary: '?', faultMs: startMs, error: 'no primary at the start of the trial' };
  log(`trials: trial ${index + 1}/${options.trials}: power off ${oldPrimary}`);
  const fault = await injectFault(lab, { kind: 'power-off', host: oldPrimary });
  const faultMs = powerCutMs(await lab.bmcs.hookLog(oldPrimary), fault.startedAtMs);
  let trial: FailoverTrial = { index, startMs, oldPrimary, faultMs };
  try {
    const restore = await waitRestore(workload, faultMs, oldPrimary, options.restoreTimeoutMs ?? 120_000);
    if (restore === undefined) return { ...trial, error: `no write was acknowledged by another server within ${options.restoreTimeoutMs ?? 120_000} ms of the fault` };
    trial = { ...trial, restoredAtMs: restore.atMs, restoreMs: restore.restoreMs, restoredBy: restore.host };
    log(`trials: trial ${index + 1}: service back on ${restore.host} after ${restore.restoreMs} ms`);
    const newPrimary = await newPrimaryAfter(options, oldPrimary);
    trial = { ...trial, ...(newPrimary !== undefined ? { newPrimary } : {}) };
  } finally {
    await fault.heal();
  }
  try {
    await options.repair(oldPrimary);
    await waitReady(options, workload, `after repairing ${oldPrimary}`);
  } catch (error) {
    return { ...trial, error: (error as Error).message };
  }
  return { ...trial, readyAgainMs: Date.now() };
}

async function waitRestore(workload: LabWorkload, faultMs: number, oldPrimary: string, timeoutMs: number): Promise<ReturnType<typeof findRestorePoint>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = findRestorePoint((await workload.read()).attempts, faultMs, oldPrimary);
    if (found !== undefined || Date.now() > deadline) return found;
    await sleep(POLL_MS);
  }
}

/** The system may name its new primary a moment after it serves: ask for up to 10 s. */
async function newPrimaryAfter(options: FailoverTrialsOptions, oldPrimary: string): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const primary = await options.whoIsPrimary().catch(() => undefined);
    if ((primary !== undefined && primary !== oldPrimary) || Date.now() > deadline) return primary;
    await sleep(POLL_MS);
  }
}

/** Ready: the caller's check passes, a primary is known, and a write started after that was acked. */
async function waitReady(options: FailoverTrialsOptions, workload: LabWorkload, when: string): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 180_000;
  const deadline = Date.now() + timeoutMs;
  const ready = options.ready ?? (async (): Promise<boolean> => (await options.whoIsPrimary()) !== undefined);
  for (;;) {
    const checkedMs = Date.now();
    if (await ready().catch(() => false)) {
      const left = Math.max(1000, deadline - Date.now());
      if (await workload.waitAckAfter(checkedMs, left)) return;
    }
    if (Date.now() > deadline) throw new Error(`trials: the cluster was not ready ${when} within ${timeoutMs} ms (no healthy primary acknowledging writes through ${options.serviceAddress})`);
    await sleep(POLL_MS * 4);
  }
}
