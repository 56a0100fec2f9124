import { runTandemCli } from '../agents/tandem-cli.js';
import type { CampaignCluster } from '../campaign/campaign-cluster.js';
import type { FailoverTrialsOptions } from './run-failover-trials.js';

export type TrialHooks = Pick<FailoverTrialsOptions, 'pg' | 'whoIsPrimary' | 'ready' | 'repair'>;

/**
 * runFailoverTrials' view of a Tandem cluster made by clusterFromConfig
 * (examples/postgres-zero-loss.yaml): the primary is whoever answers on the
 * VIP; ready means every other server streams from it and a WAL mirror is
 * a synchronous standby again (so the next power cut is one that must lose
 * nothing); repair is the operator's `tandem rejoin --data`, run from the
 * new primary's host.
 */
export function tandemTrialHooks(cluster: CampaignCluster): TrialHooks {
  const { lab, pg, serviceAddress } = cluster;
  const servers = lab.servers.map((s) => s.name);
  const ask = async (target: { server?: string; address?: string }, sql: string): Promise<string> => pg.query(target, sql, 5000).catch(() => '');
  const whoIsPrimary = async (): Promise<string | undefined> => (await ask({ address: serviceAddress }, "select current_setting('cluster_name')")) || undefined;
  return {
    pg,
    whoIsPrimary,
    ready: async () => {
      const primary = await whoIsPrimary();
      if (primary === undefined) return false;
      for (const s of servers.filter((x) => x !== primary)) {
        if ((await ask({ server: s }, "select coalesce((select status from pg_stat_wal_receiver), 'none')")) !== 'streaming') return false;
      }
      const armed = await ask({ server: primary }, "select count(*) from pg_stat_replication where sync_state in ('sync', 'quorum') and application_name like 'tandem_mirror_%'");
      return Number(armed) >= 1;
    },
    repair: async (oldPrimary) => {
      const operatorHost = servers.find((s) => s !== oldPrimary) as string;
      await runTandemCli(cluster, operatorHost, ['rejoin', oldPrimary, '--data'], 300_000);
    },
  };
}
