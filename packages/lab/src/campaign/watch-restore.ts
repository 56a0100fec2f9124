import type { Lab } from '../lab.js';
import type { LabPostgres } from '../postgres/lab-postgres.js';
import type { ClusterSample, NodeSample } from './outage-verdict.js';
import type { LabWorkload } from './workload-run.js';

/** Where the agents' Redis store listens, so the campaign can read members and the lease as the agents see them. */
export interface CampaignStore {
  readonly address: string;
  readonly port: number;
  readonly keyPrefix: string;
}

export interface WatchTarget {
  readonly lab: Lab;
  readonly pg: LabPostgres;
  /** The cluster runs agents (their `agent` service); false for the baseline. */
  readonly agents: boolean;
  readonly store?: CampaignStore;
}

const STORE_READ_TIMEOUT_MS = 3000;
const SAMPLE_EVERY_MS = 1000;

interface MemberJson {
  readonly role?: string;
  readonly facts?: Readonly<Record<string, unknown>>;
}

/** One redis-cli command against the agents' store, run from the store host; one line per reply element (trailing nils may be absent). */
export async function redis(target: WatchTarget, store: CampaignStore, args: readonly string[]): Promise<string[]> {
  const r = await target.lab.exec('store', ['redis-cli', '--no-auth-warning', '-h', store.address, '-p', String(store.port), ...args], { timeoutMs: STORE_READ_TIMEOUT_MS });
  return replyLines(r.stdout);
}

/**
 * redis-cli's output, one element per line, with the final newline already
 * stripped by the runner: slicing one more line off loses the last reply.
 * A nil prints as an empty line, so trailing nils may be absent.
 */
export function replyLines(stdout: string): string[] {
  return stdout === '' ? [] : stdout.split('\n');
}

/** Member records (present while the agent heartbeats) and the lease, read straight from Redis. */
async function readStore(target: WatchTarget, store: CampaignStore, nodes: readonly string[]): Promise<{ members: Map<string, MemberJson>; lease?: { holder: string; epoch: number } }> {
  const values = await redis(target, store, ['MGET', ...nodes.map((n) => `${store.keyPrefix}member:${n}`)]);
  const members = new Map<string, MemberJson>();
  nodes.forEach((node, i) => {
    const text = values[i] ?? '';
    if (text !== '') members.set(node, JSON.parse(text) as MemberJson);
  });
  const lease = await redis(target, store, ['HMGET', `${store.keyPrefix}lease`, 'holder', 'epoch']);
  const [holder, epoch] = lease;
  return { members, ...(holder ? { lease: { holder, epoch: Number(epoch) } } : {}) };
}

/** Power, agent and store state of every server now. */
export async function sampleCluster(target: WatchTarget): Promise<ClusterSample> {
  const { lab } = target;
  const nodes = lab.servers.map((s) => s.name);
  let store: Awaited<ReturnType<typeof readStore>> | undefined;
  let storeError: string | undefined;
  if (target.store) {
    try {
      store = await readStore(target, target.store, nodes);
    } catch (error) {
      storeError = (error as Error).message.split('\n')[0];
    }
  }
  const samples: NodeSample[] = [];
  for (const node of nodes) {
    const member = store?.members.get(node);
    const ineligible = member?.facts?.ineligible;
    samples.push({
      node,
      powered: (await lab.bmcs.state(node)) === 'on',
      ...(target.agents ? { agentRunning: (await lab.servicePid(node, 'agent')) !== undefined } : {}),
      ...(store ? { heartbeat: member !== undefined } : {}),
      ...(member?.role ? { role: member.role } : {}),
      ...(typeof ineligible === 'string' && ineligible !== '' ? { ineligible } : {}),
    });
  }
  return { atMs: Date.now(), nodes: samples, ...(store?.lease ? { lease: store.lease } : {}), ...(storeError ? { storeError } : {}) };
}

/**
 * Wait for an acknowledged write that started after the heal, sampling the
 * cluster about once a second meanwhile: if service does not come back, the
 * samples say who was up while it did not.
 */
export async function watchRestore(target: WatchTarget, workload: LabWorkload, healedMs: number, timeoutMs: number): Promise<{ restored: boolean; samples: ClusterSample[] }> {
  const deadline = Date.now() + timeoutMs;
  const samples: ClusterSample[] = [];
  let nextSampleMs = 0;
  while (Date.now() < deadline) {
    if ((await workload.read()).attempts.some((a) => a.outcome === 'acked' && a.startMs > healedMs)) return { restored: true, samples };
    if (Date.now() >= nextSampleMs) {
      nextSampleMs = Date.now() + SAMPLE_EVERY_MS;
      samples.push(await sampleCluster(target));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { restored: false, samples };
}

/** Each server's rows of the workload's table, or undefined where its database does not answer. */
export async function storedWrites(target: WatchTarget): Promise<Map<string, { writer: string; seq: number }[] | undefined>> {
  const result = new Map<string, { writer: string; seq: number }[] | undefined>();
  for (const server of target.lab.servers.map((s) => s.name)) {
    const text = await target.pg.query({ server }, "select writer || ' ' || seq from tandem_lab_writes", 10_000).catch(() => undefined);
    result.set(
      server,
      text?.split('\n').filter((l) => l !== '').map((line) => {
        const [writer, seq] = line.split(' ');
        return { writer: writer ?? '', seq: Number(seq) };
      }),
    );
  }
  return result;
}
