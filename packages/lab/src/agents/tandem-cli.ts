import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';

/** The Tandem CLI of this checkout, whether the lab runs from src/ or dist/. */
export const TANDEM_CLI = fileURLToPath(new URL('../../../cli/bin/run.js', import.meta.url));

/**
 * The agents' state directory (node memory, an embedded store): one per lab,
 * shared by its agents as one machine's would be. Never the default
 * /var/lib/tandem, which every lab on the machine (and the next run) would
 * share: a node would remember a promotion from another lab.
 */
export function labStateDir(lab: Lab): string {
  return join(lab.dir, 'tandem-state');
}

/**
 * Run the tandem CLI as an operator logged in on `host` of a lab made by
 * clusterFromConfig (its config is `<lab>/tandem.yaml`), with the secrets
 * the agents get. Throws with both outputs when it exits non-zero.
 */
export async function runTandemCli(cluster: { readonly lab: Lab; readonly pg: LabPostgres }, host: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { lab, pg } = cluster;
  const env: Record<string, string> = { TANDEM_CONFIG: join(lab.dir, 'tandem.yaml'), TANDEM_PG_PASSWORD: pg.password, TANDEM_NODE: host, TANDEM_STATE_DIR: labStateDir(lab) };
  if (lab.spec.power) env.TANDEM_IPMI_PASSWORD = lab.bmcs.access(host).password;
  const r = await lab.exec(host, [process.execPath, TANDEM_CLI, ...args], { env, timeoutMs, allowFailure: true });
  if (r.exitCode !== 0) throw new Error(`tandem ${args.join(' ')} on ${host} exited ${r.exitCode}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
