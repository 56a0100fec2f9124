import { Flags } from '@oclif/core';
import type { StoredEvent } from '@tandem/core';
import { BaseCommand } from '../base-command.js';
import { clusterFlags, withCluster } from '../cluster-context.js';
import { pause } from '../poll.js';
import { renderEvent } from '../cluster-view.js';
import { safeJsonText } from '../safe-text.js';

export default class Events extends BaseCommand<typeof Events> {
  static override summary = 'Print the cluster\'s event history: detections, elections, fences, promotions, alerts.';
  static override description = 'Events come from every agent through the store, oldest first. With --follow, new events are printed as they arrive (one JSON object per line with --json) until Ctrl-C.';
  static override examples = [
    { description: 'The last 20 events', command: '<%= config.bin %> <%= command.id %> -c /etc/tandem/tandem.yaml --limit 20' },
    { description: 'Follow as JSON lines', command: '<%= config.bin %> <%= command.id %> --follow --json' },
  ];
  static override flags = {
    ...clusterFlags,
    limit: Flags.integer({ default: 50, min: 1, max: 100_000, summary: 'How many of the newest events to print first.' }),
    follow: Flags.boolean({ char: 'f', default: false, summary: 'Keep printing new events.' }),
    'interval-ms': Flags.integer({ default: 500, min: 50, summary: 'How often --follow polls the store.' }),
    type: Flags.string({ summary: 'Only events whose type starts with this (ha., alert., action.).' }),
  };

  async run(): Promise<{ events: readonly StoredEvent[] }> {
    return withCluster(this.flags, this.logger, async ({ store }) => {
      const wanted = (e: StoredEvent): boolean => this.flags.type === undefined || e.type.startsWith(this.flags.type);
      const all = await store.readEvents({ limit: 100_000 });
      const first = all.filter(wanted).slice(-this.flags.limit);
      for (const e of first) this.print(e);
      if (!this.flags.follow) return { events: first };
      let after = all.at(-1)?.id;
      for (;;) {
        await pause(this.flags['interval-ms']);
        const next = await store.readEvents({ ...(after === undefined ? {} : { after }), limit: 1000 });
        for (const e of next.filter(wanted)) this.print(e);
        after = next.at(-1)?.id ?? after;
      }
    });
  }

  private print(e: StoredEvent): void {
    // --follow --json streams one object per line; the final JSON payload would never come.
    // JSON.stringify escapes C0 controls (and so newlines) but not C1 or bidi controls: safeJsonText does, losslessly.
    if (this.flags.follow && this.jsonEnabled()) process.stdout.write(`${safeJsonText(JSON.stringify(e))}\n`);
    else this.log(renderEvent(e));
  }
}
