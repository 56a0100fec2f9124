import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { openStore } from '@tandem/agent';
import { createLogger, loadConfigFile, SystemClock, type CoordinationStore } from '@tandem/core';
import { BaseCommand } from '../base-command.js';
import { accepts, crash, GATEWAY_PORT, readPid, SERVICE_PORT, startAgents, startGateway, waitFor, writeDemoConfig, type DemoNode } from '../demo/demo-cluster.js';
import { buildTimeline, renderTimeline, type TimelineRow } from '../demo/demo-timeline.js';

export interface DemoResult {
  readonly dir: string;
  readonly config: string;
  readonly oldPrimary: string;
  readonly newPrimary: string;
  readonly epochs: readonly [number, number];
  readonly failoverMs: number;
  readonly timeline: readonly TimelineRow[];
  readonly kept: boolean;
}

export default class Demo extends BaseCommand<typeof Demo> {
  static override summary = 'Run a three-node cluster on loopback, crash its primary, and print the failover timeline.';
  static override description = `Needs no root and no Redis: three agents run as separate processes on 127.0.0.11-13 sharing the embedded store, protecting a small TCP service. The demo waits for a primary, kills that agent and its service with SIGKILL, then prints each step (detect+confirm, gateway, elect, fence, compensate, promote, serve) in milliseconds after the crash. With --keep the surviving agents keep running so that \`tandem status\` and \`tandem events\` can be tried.`;
  static override examples = [
    { description: 'Watch a failover', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Keep the cluster afterwards', command: '<%= config.bin %> <%= command.id %> --keep' },
  ];
  static override flags = {
    keep: Flags.boolean({ default: false, summary: 'Leave the surviving agents running.' }),
    'timeout-ms': Flags.integer({ default: 60_000, min: 5000, summary: 'Bound on each wait (first primary, failover).' }),
  };

  async run(): Promise<DemoResult> {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-demo-'));
    const configFile = await writeDemoConfig(join(this.config.root, '..', '..', 'examples', 'demo.yaml'), dir);
    const { config } = await loadConfigFile(configFile);
    const nodes = Object.entries(config.nodes).map(([name, n]) => ({ name, address: n.nics.public.address }));
    const busy = (await Promise.all(nodes.map(async (n) => ((await accepts(n.address, 8008)) || (await accepts(n.address, SERVICE_PORT)) ? n.address : undefined)))).filter((a): a is string => a !== undefined);
    if (await accepts('127.0.0.1', GATEWAY_PORT)) busy.push(`127.0.0.1:${GATEWAY_PORT}`);
    if (busy.length > 0) this.error(`ports 8008/${SERVICE_PORT}/${GATEWAY_PORT} are taken on ${busy.join(', ')}: is another demo running? (pkill -f tandem-demo-)`, { exit: 5 });
    this.log(`demo: ${nodes.length} agents on ${nodes.map((n) => n.address).join(', ')}; files in ${dir}`);
    const gateway = startGateway(this.flags.keep);
    const agents = await startAgents(join(this.config.root, 'bin', 'run.js'), configFile, dir, nodes, this.flags.keep, [gateway.pid]);
    const store = openStore(config, { clock: new SystemClock(), logger: createLogger({ level: 'silent' }), stateDir: dir });
    let kept = false;
    try {
      const result = await this.failover(store, agents, config.cluster, dir, configFile);
      kept = this.flags.keep;
      return result;
    } finally {
      await store.close();
      if (!kept) {
        await this.stopAll(agents, dir);
        gateway.kill('SIGKILL');
      } else {
        for (const a of agents) a.agent.unref();
        gateway.unref();
      }
    }
  }

  private async failover(store: CoordinationStore, agents: DemoNode[], cluster: string, dir: string, configFile: string): Promise<DemoResult> {
    const t = this.flags['timeout-ms'];
    const first = await waitFor('a first primary', t, 100, async () => {
      const lease = await store.readLease().catch(() => undefined);
      const node = agents.find((a) => a.name === lease?.holder);
      return lease && node && (await accepts(node.address, SERVICE_PORT)) ? { lease, node } : undefined;
    });
    this.log(`demo: ${first.node.name} is primary at epoch ${first.lease.epoch} and its service answers; crashing it now`);
    const servicePid = await readPid(join(dir, first.node.name, 'app.pid'));
    const crashAtWallMs = Date.now();
    crash(first.node.agent.pid);
    crash(servicePid);
    const survivors = agents.filter((a) => a !== first.node);
    const served = await waitFor('a failover', t, 25, async () => {
      for (const s of survivors) if (await accepts(s.address, SERVICE_PORT, 100)) return { node: s, atWallMs: Date.now() };
      return undefined;
    });
    const lease = await waitFor('the new lease', 5000, 100, async () => {
      const l = await store.readLease();
      return l && l.holder === served.node.name ? l : undefined;
    });
    // The promote event is written just after the service starts; give the agent a moment to record it.
    await new Promise((r) => setTimeout(r, 1000));
    const timeline = buildTimeline(await store.readEvents({ limit: 10_000 }), crashAtWallMs, served.node.name, served.atWallMs);
    const failoverMs = served.atWallMs - crashAtWallMs;
    this.log('');
    this.log(renderTimeline(timeline, crashAtWallMs));
    this.log('');
    this.log(`demo: failover ${first.node.name} -> ${served.node.name} in ${failoverMs} ms (epoch ${first.lease.epoch} -> ${lease.epoch}); ${first.node.name} was fenced before ${served.node.name} was promoted`);
    if (this.flags.keep) {
      this.log(`demo: the cluster keeps running. Try:\n  node ${join(this.config.root, 'bin', 'run.js')} status -c ${configFile}\n  node ${join(this.config.root, 'bin', 'run.js')} events -c ${configFile}\nStop it with: kill $(cat ${join(dir, 'agents.pid')})`);
    }
    return { dir, config: configFile, oldPrimary: first.node.name, newPrimary: served.node.name, epochs: [first.lease.epoch, lease.epoch], failoverMs, timeline, kept: this.flags.keep };
  }

  /** SIGTERM every agent, wait (bounded) for them to go, then make sure no service process is left. */
  private async stopAll(agents: DemoNode[], dir: string): Promise<void> {
    const exited = agents.map((a) => (a.agent.exitCode !== null || a.agent.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => a.agent.once('exit', () => r()))));
    for (const a of agents) a.agent.kill('SIGTERM');
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 5000))]);
    for (const a of agents) crash(a.agent.pid);
    for (const a of agents) crash(await readPid(join(dir, a.name, 'app.pid')));
  }
}
