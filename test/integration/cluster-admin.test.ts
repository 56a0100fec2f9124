import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepts, CliSandbox, cliBin, ensureBuilt } from './cli-support.js';

// Admin commands end to end: three real agent processes on 127.0.0.21-23 share
// an embedded store and protect a real TCP service; the real `tandem` binary
// steers them. Addresses and ports differ from the demo's so both can run.
const NODES = { a1: '127.0.0.21', a2: '127.0.0.22', a3: '127.0.0.23' } as const;
type NodeName = keyof typeof NODES;
const GATEWAY_PORT = 18081;
const SERVICE_PORT = 15433;

const dir = mkdtempSync(join(tmpdir(), 'tandem-admin-test-'));
const configFile = join(dir, 'cluster.yaml');
const cli = new CliSandbox();
const agents = new Map<NodeName, ChildProcess>();
let gateway: Server;

function config(): string {
  const nodes = Object.entries(NODES)
    .map(([n, a]) => `  ${n}:\n    nics: { public: ${a}/8 }\n    statusListen: ${a}:8018\n    overrides:\n      app: { options: { pidFile: ${dir}/${n}/app.pid, env: { HOST: ${a} }, healthHost: ${a} } }`)
    .join('\n');
  return `cluster: admin-test
bootstrap: true
timing: { probeIntervalMs: 300, leaseTtlMs: 4000, leaseRenewIntervalMs: 600, storeTimeoutMs: 400, fenceTimeoutMs: 2000, gatewayTimeoutMs: 1000 }
store: { type: embedded, path: ${dir}/store.sqlite }
gateway: { address: 127.0.0.1 }
nodes:
${nodes}
probes:
  checks:
    - { id: agent, plugin: probe-tcp, timeoutMs: 250, options: { port: 8018 } }
    - { id: gw, plugin: probe-tcp, timeoutMs: 500, options: { port: ${GATEWAY_PORT}, dimension: gateway } }
fencing:
  levels:
    - - id: marker
        plugin: fence-exec
        options:
          fence: [mkdir, -p, "${dir}/fenced/{node}"]
          status: [test, -d, "${dir}/fenced/{node}"]
          unfence: [rm, -rf, "${dir}/fenced/{node}"]
resources:
  - id: app
    plugin: resource-process
    options:
      command: [node, -e, "require('node:net').createServer((s) => { s.on('error', () => {}); s.end('ok'); }).listen(${SERVICE_PORT}, process.env.HOST)"]
      pidFile: ${dir}/app.pid
      healthPort: ${SERVICE_PORT}
      stopTimeoutMs: 1000
`;
}

function startAgent(node: NodeName): void {
  const child = spawn(process.execPath, [cliBin, 'agent', 'start', '-c', configFile, '--node', node, '--log-format', 'json', '--state-dir', dir], { stdio: ['ignore', openSync(join(dir, `${node}.log`), 'a'), openSync(join(dir, `${node}.log`), 'a')] });
  agents.set(node, child);
}

interface View {
  lease?: { holder: string; epoch: number };
  members: { node: string; role: string }[];
  settings: { maintenance: boolean };
  warnings: string[];
}

const status = (): View => cli.json<View>(['status', '-c', configFile, '--state-dir', dir]).body;

async function eventually<T>(what: string, ms: number, f: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; last status: ${lastView}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let lastView = '';
const stable = (): Promise<View> =>
  eventually('one primary with all members heartbeating and its service up', 30_000, async () => {
    const v = status();
    lastView = JSON.stringify({ lease: v.lease, members: v.members.map((m) => `${m.node}:${m.role}`), warnings: v.warnings });
    const primaries = v.members.filter((m) => m.role === 'primary');
    if (!v.lease || v.members.length !== 3 || primaries.length !== 1 || primaries[0]?.node !== v.lease.holder) return undefined;
    return (await accepts(NODES[v.lease.holder as NodeName], SERVICE_PORT)) ? v : undefined;
  });

beforeAll(async () => {
  ensureBuilt();
  writeFileSync(configFile, config());
  gateway = createServer((s) => s.end());
  await new Promise<void>((r) => gateway.listen(GATEWAY_PORT, '127.0.0.1', () => r()));
  for (const n of Object.keys(NODES) as NodeName[]) startAgent(n);
}, 60_000);

afterAll(async () => {
  for (const a of agents.values()) a.kill('SIGKILL');
  for (const n of Object.keys(NODES)) {
    const pid = Number(existsSync(join(dir, n, 'app.pid')) ? readFileSync(join(dir, n, 'app.pid'), 'utf8') : 0);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await new Promise<void>((r) => gateway.close(() => r()));
  if (process.env.KEEP_TEST_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  cli.cleanup();
});

describe('admin commands against a running cluster', () => {
  it('status --json shows one primary that holds the lease, and every member', async () => {
    const v = await stable();
    expect(v.members.map((m) => m.node)).toEqual(['a1', 'a2', 'a3']);
    expect(v.warnings).toEqual([]);
  }, 40_000);

  it('maintenance on refuses a switchover (exit 7); off allows it again', async () => {
    expect(cli.json<{ maintenance: boolean }>(['maintenance', 'on', '-c', configFile, '--state-dir', dir]).body.maintenance).toBe(true);
    expect(status().settings.maintenance).toBe(true);
    await eventually('agents to report maintenance on /health', 5000, async () => {
      const body = (await (await fetch(`http://${NODES.a1}:8018/health`)).json()) as { maintenance: boolean };
      return body.maintenance ? true : undefined;
    });
    const refused = cli.run(['switchover', '-c', configFile, '--state-dir', dir, '--to', 'a1', '--json']);
    expect(refused.code).toBe(7);
    expect(cli.run(['maintenance', 'off', '-c', configFile, '--state-dir', dir]).code).toBe(0);
    expect(status().settings.maintenance).toBe(false);
  });

  it('switchover --to moves the primary and its service, at a higher epoch', async () => {
    const before = await stable();
    const from = before.lease?.holder as NodeName;
    const to = (['a1', 'a2', 'a3'] as const).find((n) => n !== from) as NodeName;
    const r = cli.json<{ from: string; to: string; epoch: number }>(['switchover', '-c', configFile, '--state-dir', dir, '--to', to, '--timeout-ms', '20000']);
    expect(r.code).toBe(0);
    expect(r.body).toMatchObject({ from, to });
    expect(r.body.epoch).toBeGreaterThan(before.lease?.epoch ?? 0);
    const after = await stable();
    expect(after.lease?.holder).toBe(to);
    expect(await accepts(NODES[from], SERVICE_PORT)).toBe(false);
  }, 60_000);

  it('failover --to asks for confirmation: without a terminal and without --yes it refuses (exit 10)', async () => {
    const v = await stable();
    const target = (['a1', 'a2', 'a3'] as const).find((n) => n !== v.lease?.holder) as NodeName;
    expect(cli.run(['failover', '-c', configFile, '--state-dir', dir, '--to', target]).code).toBe(10);
    expect(status().lease?.holder).toBe(v.lease?.holder);
  }, 40_000);

  it('failover --to --yes fences the old primary and promotes the target', async () => {
    const v = await stable();
    const from = v.lease?.holder as NodeName;
    const target = (['a1', 'a2', 'a3'] as const).find((n) => n !== from) as NodeName;
    const r = cli.json<{ to: string; epoch: number }>(['failover', '-c', configFile, '--state-dir', dir, '--to', target, '--yes', '--timeout-ms', '30000']);
    expect(r.code).toBe(0);
    expect(r.body.to).toBe(target);
    await eventually('the target serving', 20_000, async () => ((await accepts(NODES[target], SERVICE_PORT)) ? true : undefined));
    expect(await accepts(NODES[from], SERVICE_PORT)).toBe(false);
  }, 60_000);

  it('fence NODE --yes runs the fencing levels and verifies; rejoin undoes it', async () => {
    const v = await stable();
    const replica = (['a1', 'a2', 'a3'] as const).find((n) => n !== v.lease?.holder) as NodeName;
    rmSync(join(dir, 'fenced', replica), { recursive: true, force: true });
    const fenced = cli.json<{ node: string; level: number; verified: string[] }>(['fence', replica, '--yes', '-c', configFile, '--state-dir', dir]);
    expect(fenced.code).toBe(0);
    expect(fenced.body).toMatchObject({ node: replica, level: 1 });
    expect(existsSync(join(dir, 'fenced', replica))).toBe(true);
    const rejoined = cli.json<{ unfenced: string[] }>(['rejoin', replica, '-c', configFile, '--state-dir', dir]);
    expect(rejoined.code).toBe(0);
    expect(rejoined.body.unfenced).toEqual(['marker']);
    expect(existsSync(join(dir, 'fenced', replica))).toBe(false);
  }, 40_000);

  it('the status endpoint routes by role', async () => {
    const v = await stable();
    const primary = v.lease?.holder as NodeName;
    const replica = v.members.find((m) => m.role === 'replica')?.node as NodeName;
    expect((await fetch(`http://${NODES[primary]}:8018/primary`)).status).toBe(200);
    expect((await fetch(`http://${NODES[replica]}:8018/primary`)).status).toBe(503);
    expect((await fetch(`http://${NODES[replica]}:8018/replica`)).status).toBe(200);
    expect(await (await fetch(`http://${NODES[primary]}:8018/metrics`)).text()).toContain('tandem_role{role="primary"');
  }, 40_000);
  it('a primary whose service dies restarts it in place, at the same epoch', async () => {
    const v = await stable();
    const primary = v.lease?.holder as NodeName;
    const pidFile = join(dir, primary, 'app.pid');
    const oldPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(oldPid, 'SIGKILL');
    const back = await eventually('the service back on the same node', 20_000, async () => {
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
      return pid > 0 && pid !== oldPid && (await accepts(NODES[primary], SERVICE_PORT)) ? pid : undefined;
    });
    expect(back).not.toBe(oldPid);
    const after = status();
    expect(after.lease).toMatchObject({ holder: primary, epoch: v.lease?.epoch });
    const events = cli.json<{ events: { type: string; node: string; message: string }[] }>(['events', '-c', configFile, '--state-dir', dir, '--limit', '200']).body.events;
    expect(events.some((e) => e.node === primary && e.type === 'action.restart' && e.message.includes(': ok'))).toBe(true);
  }, 40_000);

  it('a primary whose agent is stopped gracefully hands over without being fenced, and rejoins when started', async () => {
    const v = await stable();
    const old = v.lease?.holder as NodeName;
    rmSync(join(dir, 'fenced', old), { recursive: true, force: true });
    const exited = new Promise((r) => agents.get(old)?.once('exit', r));
    agents.get(old)?.kill('SIGTERM');
    await exited;
    expect(await accepts(NODES[old], SERVICE_PORT)).toBe(false);
    const next = await eventually('another primary', 20_000, () => {
      const s = status();
      return s.lease && s.lease.holder !== old ? s : undefined;
    });
    expect(next.lease?.epoch).toBeGreaterThan(v.lease?.epoch ?? 0);
    expect(existsSync(join(dir, 'fenced', old))).toBe(false);
    startAgent(old);
    const back = await stable();
    expect(back.members.find((m) => m.node === old)?.role).toBe('replica');
  }, 60_000);

  it('a crashed primary is fenced and replaced; events tell the story', async () => {
    const v = await stable();
    const old = v.lease?.holder as NodeName;
    agents.get(old)?.kill('SIGKILL');
    process.kill(Number(readFileSync(join(dir, old, 'app.pid'), 'utf8')), 'SIGKILL');
    const after = await eventually('a new primary', 30_000, () => {
      const s = status();
      return s.lease && s.lease.holder !== old && s.lease.epoch > (v.lease?.epoch ?? 0) ? s : undefined;
    });
    expect(existsSync(join(dir, 'fenced', old))).toBe(true);
    const events = cli.json<{ events: { type: string; node: string }[] }>(['events', '-c', configFile, '--state-dir', dir, '--limit', '1000']).body.events;
    const types = events.map((e) => e.type);
    for (const t of ['admin.maintenance-on', 'admin.switchover', 'admin.failover', 'admin.fence', 'admin.rejoin', 'action.fence', 'action.promote', 'ha.announce']) expect(types).toContain(t);
    const newHolder = after.lease?.holder;
    const lastFence = types.lastIndexOf('action.fence');
    const lastPromote = events.findLastIndex((e) => e.type === 'action.promote' && e.node === newHolder);
    expect(lastFence).toBeLessThan(lastPromote);
  }, 60_000);

});
