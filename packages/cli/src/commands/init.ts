import { newIdentity } from '@tandem/agent';
import { TandemError, type ClusterIdentity } from '@tandem/core';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { safeLine } from '../safe-text.js';

export default class Init extends BaseCommand<typeof Init> {
  static override summary = "Write the cluster's identity into its store, once, before the first agent starts.";
  static override description =
    'Agents refuse a store without an identity (one restarted without persistence, or whose file was deleted) and a store that holds another cluster. Run this once for a new cluster; running it again is harmless and prints the identity already there. To let a brand-new node do it at its first start instead, set bootstrap: true in the config.';
  static override examples = [{ description: 'A new cluster', command: '<%= config.bin %> <%= command.id %> -c /etc/tandem/tandem.yaml' }];
  static override flags = { ...clusterFlags };

  async run(): Promise<ClusterIdentity & { readonly created: boolean }> {
    return withCluster(this.flags, this.logger, async ({ store, clock, config }) => {
      const proposed = newIdentity(config.cluster, clock);
      const held = await store.initIdentity(proposed);
      if (held.cluster !== config.cluster) {
        throw new TandemError('refused', `the store already belongs to cluster "${held.cluster}" (id ${held.clusterId})`, {
          problems: [{ path: 'store', message: `holds cluster "${held.cluster}"`, fix: 'give this cluster its own store, or its own store.keyPrefix (Redis)' }],
        });
      }
      const created = held.clusterId === proposed.clusterId;
      if (created) await store.appendEvent({ atWallMs: clock.wallMs(), node: 'operator', type: 'admin.init', message: `cluster ${held.cluster} initialised (id ${held.clusterId})` });
      const [name, id] = [safeLine(held.cluster), safeLine(held.clusterId)];
      this.log(created ? `cluster ${name} initialised: id ${id}` : `cluster ${name} was already initialised: id ${id} (unchanged)`);
      return { ...held, created };
    });
  }
}
