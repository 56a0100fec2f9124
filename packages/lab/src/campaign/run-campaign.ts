import { writeFile } from 'node:fs/promises';
import { describeFault } from '../faults/fault-spec.js';
import { join } from 'node:path';
import { FaultNotApplicableError, injectFault } from '../faults/inject-fault.js';
import { seededRandom } from '../faults/delay-proxy-impairment.js';
import { isRealFailure, planCampaign, type PlannedStep, type PlanOptions } from './campaign-plan.js';
import { buildCampaignReport, type CampaignReport, type ExecutedStep } from './campaign-report.js';
import { baselineCluster, clusterFromConfig } from './campaign-cluster.js';
import { poweredServers, resolveStep } from './campaign-steps.js';
import { LabWorkload } from './workload-run.js';
import { waitForSecondCopy } from './second-copy.js';
import { classifyOutage, holdingsOf, type OutageVerdict } from './outage-verdict.js';
import { storedWrites, watchRestore, type WatchTarget } from './watch-restore.js';
import type { CampaignCluster } from './campaign-cluster.js';

export interface CampaignOptions extends PlanOptions {
  readonly seed: number;
  readonly faults: number;
  /** Servers in the lab (baseline only; a config brings its own nodes). Default 3. */
  readonly servers?: number;
  /** A Tandem config: its agents run the cluster. Without one, the baseline runs no HA manager. */
  readonly configPath?: string;
  /** After a heal: how long service may take to come back before the step counts as unrestored. Default 30 s. */
  readonly restoreTimeoutMs?: number;
  /** Quiet time between steps, after service is back. Default 2 s. */
  readonly settleMs?: number;
  /** Write the JSON report here too. */
  readonly outFile?: string;
  readonly log?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A random, seeded schedule of faults against a PostgreSQL lab while a client
 * writes through the service address, then the checkers' verdict. With a
 * config, its agents manage the cluster; the baseline runs no HA manager, so
 * every fault that hits the primary is an outage until healed.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = planCampaign(options.seed, options.faults, options);
  const cluster = options.configPath !== undefined ? await clusterFromConfig(options.configPath) : await baselineCluster(options.servers ?? 3);
  const { lab, pg } = cluster;
  let keep = true;
  let workload: LabWorkload | undefined;
  try {
    log(`campaign: lab ${lab.id} up (${lab.dir}); ${cluster.label}; clients write to ${cluster.serviceAddress}`);
    workload = LabWorkload.start(lab, pg, cluster.serviceAddress);
    if (!(await workload.waitAckAfter(0, 60_000))) throw new Error(`campaign: the workload got no write acknowledged within 60 s (log: ${workload.logPath})`);
    // Faults start once the primary's writes are on a second node: before that, no failover may happen by design.
    await waitForSecondCopy(cluster, 60_000);
    const startedMs = Date.now();
    const random = seededRandom(options.seed ^ 0x5eed);
    const steps: ExecutedStep[] = [];
    for (const planned of plan) {
      try {
        steps.push(await runStep(cluster, workload, planned, plan.length, random, options, log));
      } catch (error) {
        // Every planned step is accounted for, also when the campaign cannot go on.
        const notRun = plan.slice(planned.index + 1).map((p) => `${p.index + 1}. ${p.kind} (${p.target})`);
        throw new Error(`campaign: step ${planned.index + 1}/${plan.length} (${planned.kind}, ${planned.target}) failed: ${(error as Error).message}; not run: ${notRun.join(', ') || 'none'}`, { cause: error });
      }
    }
    // A fencer may have switched a server off after the last step: the verifier reads through the service address.
    await repairPower(cluster);
    await workload.waitAckAfter(Date.now(), options.restoreTimeoutMs ?? 30_000);
    const endedMs = Date.now();
    await workload.stop();
    const verify = await workload.verify(500);
    const attempts = (await workload.read()).attempts;
    const report = buildCampaignReport({ seed: options.seed, config: cluster.label, startedMs, endedMs, steps, attempts, verify });
    if (options.outFile) await writeFile(options.outFile, `${JSON.stringify(report, null, 2)}\n`);
    keep = !report.ok;
    if (keep) log(`campaign: the checkers found problems; lab logs kept in ${lab.dir}`);
    return report;
  } finally {
    await workload?.stop().catch(() => undefined);
    // A lab that would not come down must not hide the report or the error; a sweep removes what is left.
    await lab.down({ keepDir: keep }).catch((error: unknown) => log(`campaign: taking lab ${lab.id} down failed: ${(error as Error).message}`));
  }
}

/** Repair what a fault (or a fencer) switched off, as an operator would. */
async function repairPower({ lab }: CampaignCluster): Promise<void> {
  for (const server of lab.servers) if ((await lab.bmcs.state(server.name)) === 'off') await lab.bmcs.powerOn(server.name);
}

/** Resolve, inject, hold, heal one planned step; then wait for service and, if it does not come back, say whether it could have. */
async function runStep(cluster: CampaignCluster, workload: LabWorkload, planned: PlannedStep, total: number, random: () => number, options: CampaignOptions, log: (line: string) => void): Promise<ExecutedStep> {
  const { lab, pg } = cluster;
  const label = `campaign: step ${planned.index + 1}/${total}`;
  const primary = (await workload.lastAckedHost()) ?? pg.primary;
  const up = await poweredServers(lab);
  const resolved = resolveStep(planned, primary, up.filter((s) => s !== primary), random, { postgresPidFile: (server) => join(pg.dataDir(server), 'postmaster.pid') });
  const startMs = Date.now();
  const skip = (description: string, why: string): ExecutedStep => {
    log(`${label}: ${description} skipped: ${why}`);
    return { ...planned, description, realFailure: false, startMs, healedMs: startMs, skipped: why };
  };
  if ('skipped' in resolved) return skip(`${planned.kind} (${planned.target})`, resolved.skipped);
  const description = describeFault(resolved.spec);
  let fault: Awaited<ReturnType<typeof injectFault>>;
  try {
    fault = await injectFault(lab, resolved.spec);
  } catch (error) {
    if (error instanceof FaultNotApplicableError) return skip(description, error.message);
    throw error;
  }
  log(`${label}: ${description} for ${planned.holdMs} ms`);
  await sleep(planned.holdMs);
  await fault.heal();
  await repairPower(cluster);
  const healedMs = Date.now();
  const timeoutMs = options.restoreTimeoutMs ?? 30_000;
  const target: WatchTarget = { lab, pg, agents: cluster.agents, ...(cluster.store ? { store: cluster.store } : {}) };
  const watched = await watchRestore(target, workload, healedMs, timeoutMs);
  let outage: OutageVerdict | undefined;
  if (!watched.restored) {
    const holders = holdingsOf(lab.servers.map((s) => s.name), (await workload.read()).attempts, await storedWrites(target));
    outage = classifyOutage(holders, watched.samples);
    log(`${label}: service not restored within ${timeoutMs} ms of healing "${description}": ${outage.summary}`);
  }
  await sleep(options.settleMs ?? 2000);
  return { ...planned, ...(resolved.host ? { host: resolved.host } : {}), description, realFailure: isRealFailure(planned), startMs, healedMs, ...(outage ? { outage } : {}) };
}
