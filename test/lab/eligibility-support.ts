import { runTandemCli, type CampaignCluster } from '@tandem/lab';

/**
 * What the eligibility lab tests read from a running cluster: the store's
 * view through the operator's CLI, the event history, and the BMCs' own
 * record of every power cut (the chassis hook logs each one).
 */
export interface StatusOut {
  readonly lease?: { readonly holder: string; readonly epoch: number };
  readonly members: readonly { readonly node: string; readonly role: string; readonly facts: Readonly<Record<string, string | number | boolean | null>> }[];
  readonly warnings: readonly string[];
}

export interface HistoryEvent {
  readonly node: string;
  readonly type: string;
  readonly message: string;
  readonly atWallMs?: number;
}

export async function tandemJson<T>(cluster: CampaignCluster, host: string, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  return JSON.parse(await runTandemCli(cluster, host, [...args, '--json'], timeoutMs)) as T;
}

export async function status(cluster: CampaignCluster, from: string): Promise<StatusOut> {
  return tandemJson<StatusOut>(cluster, from, ['status']);
}

export async function history(cluster: CampaignCluster, from: string): Promise<readonly HistoryEvent[]> {
  return (await tandemJson<{ events: readonly HistoryEvent[] }>(cluster, from, ['events', '--limit', '5000'])).events;
}

/** Fence attempts aimed at `target` in the store's history (done or failed: a failed IPMI fence may still have cut power). */
export function fencesOf(events: readonly HistoryEvent[], target: string): HistoryEvent[] {
  return events.filter((e) => (e.type === 'action.fence' || e.type === 'alert.fence-failed') && e.message.startsWith(`fence ${target} at epoch`));
}

/** Power cuts of `server` as its BMC did them (off and reset both cut power), from the chassis hook's log. */
export async function powerCuts(cluster: CampaignCluster, server: string): Promise<number> {
  return (await cluster.lab.bmcs.hookLog(server)).split('\n').filter((l) => / power off \(links down/.test(l)).length;
}

/** The server answering on the service address, as a client sees it. */
export async function vipHost(cluster: CampaignCluster): Promise<string | undefined> {
  return (await cluster.pg.query({ address: cluster.serviceAddress }, "select current_setting('cluster_name')", 5000).catch(() => '')) || undefined;
}

/** `streaming <sender address>` for a standby's WAL receiver, `none` without one, or the error. */
export async function streamsFrom(cluster: CampaignCluster, server: string): Promise<string> {
  return cluster.pg.query({ server }, "select coalesce((select status || ' ' || sender_host from pg_stat_wal_receiver), 'none')", 5000).catch((e: Error) => e.message);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
