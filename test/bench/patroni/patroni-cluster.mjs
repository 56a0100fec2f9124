// Patroni 3.0 + etcd 3.4 (Debian's packages) running a PostgreSQL cluster in the lab,
// with the VIP moved by Patroni's callbacks so clients take the same path as with Tandem.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabPostgres, dropVipAtBoot, waitForPort, writeVipScript } from '../../../packages/lab/dist/index.js';
import { PATRONI_DEFAULT_TIMING, renderCallback, renderPatroniConfig, renderPostgresWrapper } from './patroni-config.mjs';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const APT = 'flock /tmp/apt.lock apt-get install -y --no-install-recommends patroni etcd-server etcd-client';
const SUPERUSER = 'tandem';
const API_PORT = 8008;

/** Fail loudly, naming the packages, when Patroni or etcd is missing. */
export function requirePatroni() {
  const missing = ['/usr/bin/patroni', '/usr/bin/etcd', '/usr/bin/etcdctl', join(PG_BIN, 'postgres'), '/usr/bin/pgbench'].filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: install with\n  ${APT} postgresql-15`);
}

function postgresIds() {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function ownedDir(path, ids) {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chown(path, ids.uid, ids.gid);
}

/** etcd, one member, on the lab's store host (public address), data in the store's host dir. */
async function startEtcd(lab) {
  const address = lab.address('store');
  const url = (port) => `http://${address}:${port}`;
  const argv = ['etcd', '--name', 'store', '--data-dir', join(lab.host('store').dir, 'etcd'),
    '--listen-client-urls', url(2379), '--advertise-client-urls', url(2379),
    '--listen-peer-urls', url(2380), '--initial-advertise-peer-urls', url(2380),
    '--initial-cluster', `store=${url(2380)}`, '--initial-cluster-state', 'new'];
  await lab.addService('store', { name: 'etcd', argv });
  await waitForPort(lab.host('client').namespace, address, 2379, 30_000, 'etcd on the store');
  return address;
}

/** A bin_dir with every PostgreSQL program, and a postgres that names itself after the member. */
async function memberBinDir(dir, name) {
  const binDir = join(dir, 'pgbin');
  await mkdir(binDir, { recursive: true, mode: 0o755 });
  for (const program of await readdir(PG_BIN)) if (program !== 'postgres') await symlink(join(PG_BIN, program), join(binDir, program));
  await writeFile(join(binDir, 'postgres'), renderPostgresWrapper(join(PG_BIN, 'postgres'), name), { mode: 0o755 });
  return binDir;
}

async function addMember(lab, server, shared) {
  const dir = lab.host(server).dir;
  const ids = postgresIds();
  const patroniDir = join(dir, 'patroni');
  for (const d of [patroniDir, join(dir, 'pgdata'), join(dir, 'pgsock')]) await ownedDir(d, ids);
  const vipScript = await writeVipScript(lab, server);
  const callback = join(dir, 'patroni-callback.sh');
  await writeFile(callback, renderCallback(vipScript), { mode: 0o755 });
  const configPath = join(patroniDir, 'patroni.yml');
  const config = renderPatroniConfig({
    ...shared, name: server, address: lab.address(server), dataDir: join(dir, 'pgdata'), socketDir: join(dir, 'pgsock'),
    binDir: await memberBinDir(dir, server), pgpass: join(patroniDir, 'pgpass'), callback,
  });
  await writeFile(configPath, config, { mode: 0o600 });
  await chown(configPath, ids.uid, ids.gid);
  // A reboot forgets the VIP; the lab's namespace would not, so a boot service drops it.
  await dropVipAtBoot(lab, server);
  // Patroni runs as postgres; its callbacks move the VIP, which needs NET_ADMIN and NET_RAW,
  // handed down as ambient capabilities (no sudo on the lab hosts).
  const argv = ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--inh-caps=+net_admin,+net_raw', '--ambient-caps=+net_admin,+net_raw', 'patroni', configPath];
  await lab.addService(server, { name: 'patroni', argv, cwd: patroniDir, env: { HOME: patroniDir } });
}

/** Which of the servers answer 200 on a Patroni REST endpoint, asked from the client's namespace. */
export async function membersAnswering(lab, servers, endpoint) {
  const list = servers.map((s) => ({ name: s, address: lab.address(s) }));
  const script = `const list = JSON.parse(process.argv[1]);
Promise.all(list.map((s) => fetch('http://' + s.address + ':${API_PORT}/' + process.argv[2], { signal: AbortSignal.timeout(1500) })
  .then((r) => (r.status === 200 ? s.name : undefined), () => undefined))).then((r) => console.log(JSON.stringify(r.filter(Boolean))));`;
  const result = await lab.exec('client', [process.execPath, '-e', script, JSON.stringify(list), endpoint], { timeoutMs: 10_000, allowFailure: true });
  try {
    return JSON.parse(result.stdout.trim() || '[]');
  } catch {
    return [];
  }
}

async function waitFor(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`patroni: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Start etcd and one Patroni per server (the first bootstraps the cluster,
 * the others clone from it). Returns what runFailoverTrials needs.
 */
export async function startPatroniCluster(lab, { servers, synchronousMode, timing = PATRONI_DEFAULT_TIMING, readyTimeoutMs = 180_000 }) {
  requirePatroni();
  const etcdAddress = await startEtcd(lab);
  const password = randomBytes(9).toString('hex');
  const shared = { scope: 'tandem-bench', etcdAddress, timing, synchronousMode, superuser: SUPERUSER, password, replicationPassword: randomBytes(9).toString('hex') };
  const [first, ...rest] = servers;
  await addMember(lab, first, shared);
  await waitFor(`${first} bootstrapping as leader`, readyTimeoutMs, async () => (await membersAnswering(lab, [first], 'primary')).length === 1);
  for (const server of rest) await addMember(lab, server, shared);
  const pg = new LabPostgres(lab, { bin: PG_BIN, port: 5432, user: SUPERUSER, password, primary: first, replicas: rest });
  const whoIsPrimary = async () => {
    const primaries = await membersAnswering(lab, servers, 'primary');
    return primaries.length === 1 ? primaries[0] : undefined;
  };
  const ready = async () => {
    const primary = await whoIsPrimary();
    if (primary === undefined) return false;
    const replicas = servers.filter((s) => s !== primary);
    if ((await membersAnswering(lab, replicas, 'replica')).length !== replicas.length) return false;
    // In synchronous mode Patroni names the sync standby up to a loop_wait after it streams: wait for that too.
    if (synchronousMode && (await membersAnswering(lab, replicas, 'sync')).length !== replicas.length) return false;
    return pg.waitStreaming(3000, replicas).then(() => true, () => false);
  };
  // Power on has already run the boot script (vip-reset, patroni): wait until Patroni calls it a replica.
  const repair = async (oldPrimary) => {
    await waitFor(`${oldPrimary} rejoining as a replica`, readyTimeoutMs, async () => (await membersAnswering(lab, [oldPrimary], 'replica')).length === 1);
  };
  await waitFor('every replica streaming', readyTimeoutMs, ready);
  return { pg, whoIsPrimary, ready, repair };
}
