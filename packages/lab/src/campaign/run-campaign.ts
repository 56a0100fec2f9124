import { writeFile } from 'node:fs/promises';
import { describeFault } from '../faults/fault-spec.js';
import { injectFault } from '../faults/inject-fault.js';
import { seededRandom } from '../faults/delay-proxy-impairment.js';
import { isRealFailure, planCampaign, type PlanOptions } from './campaign-plan.js';
import { buildCampaignReport, type CampaignReport, type ExecutedStep } from './campaign-report.js';
import { baselineCluster, clusterFromConfig } from './campaign-cluster.js';
import { poweredServers, resolveStep } from './campaign-steps.js';
import { LabWorkload } from './workload-run.js';

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
  try {
    log(`campaign: lab ${lab.id} up (${lab.dir}); ${cluster.label}; clients write to ${cluster.serviceAddress}`);
    const workload = LabWorkload.start(lab, pg, cluster.serviceAddress);
    if (!(await workload.waitAckAfter(0, 60_000))) throw new Error(`campaign: the workload got no write acknowledged within 60 s (log: ${workload.logPath})`);
    const startedMs = Date.now();
    const random = seededRandom(options.seed ^ 0x5eed);
    const steps: ExecutedStep[] = [];
    for (const planned of plan) {
      const primary = (await workload.lastAckedHost()) ?? pg.primary;
      const up = await poweredServers(lab);
      const resolved = resolveStep(planned, primary, up.filter((s) => s !== primary), random);
      const startMs = Date.now();
      if ('skipped' in resolved) {
        steps.push({ ...planned, description: `${planned.kind} (skipped)`, realFailure: false, startMs, healedMs: startMs, skipped: resolved.skipped });
        continue;
      }
      const description = describeFault(resolved.spec);
      log(`campaign: step ${planned.index + 1}/${plan.length}: ${description} for ${planned.holdMs} ms`);
      const fault = await injectFault(lab, resolved.spec);
      await sleep(planned.holdMs);
      await fault.heal();
      // Repair what the fault (or a fencer) switched off, as an operator would.
      for (const server of lab.servers) if ((await lab.bmcs.state(server.name)) === 'off') await lab.bmcs.powerOn(server.name);
      const healedMs = Date.now();
      steps.push({ ...planned, ...(resolved.host ? { host: resolved.host } : {}), description, realFailure: isRealFailure(planned), startMs, healedMs });
      if (!(await workload.waitAckAfter(healedMs, options.restoreTimeoutMs ?? 30_000))) log(`campaign: service not restored within ${options.restoreTimeoutMs ?? 30_000} ms of healing "${description}"`);
      await sleep(options.settleMs ?? 2000);
    }
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
    await lab.down({ keepDir: keep });
  }
}
