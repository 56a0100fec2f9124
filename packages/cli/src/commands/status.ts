import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { pause } from '../poll.js';
import { readClusterView, renderClusterView, type ClusterView } from '../cluster-view.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show the cluster as the coordination store sees it: lease holder, epoch, members, warnings, recent events.';
  static override description = 'Reads the store the config names; needs no running agent on this host. With --watch it redraws every interval until Ctrl-C (or --count views).';
  static override examples = [
    { description: 'Once', command: '<%= config.bin %> <%= command.id %> -c /etc/tandem/tandem.yaml' },
    { description: 'Follow a failover', command: '<%= config.bin %> <%= command.id %> -c /etc/tandem/tandem.yaml --watch' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json | jq .lease.holder' },
  ];
  static override flags = {
    ...clusterFlags,
    watch: Flags.boolean({ char: 'w', default: false, summary: 'Redraw until interrupted.' }),
    'interval-ms': Flags.integer({ default: 1000, min: 100, summary: 'Time between views with --watch.' }),
    count: Flags.integer({ min: 1, summary: 'Stop after this many views with --watch.' }),
    events: Flags.integer({ default: 5, min: 0, max: 1000, summary: 'How many recent events to show.' }),
  };

  async run(): Promise<ClusterView> {
    return withCluster(this.flags, this.logger, async ({ config, store }) => {
      const nodes = Object.keys(config.nodes);
      const views = this.flags.watch ? (this.flags.count ?? Number.POSITIVE_INFINITY) : 1;
      let view = await readClusterView(store, config.cluster, nodes, this.flags.events);
      for (let i = 1; ; i++) {
        if (this.flags.watch && !this.jsonEnabled()) process.stdout.write('\x1b[2J\x1b[H');
        this.log(renderClusterView(view));
        if (i >= views) return view;
        await pause(this.flags['interval-ms']);
        view = await readClusterView(store, config.cluster, nodes, this.flags.events);
      }
    });
  }
}
