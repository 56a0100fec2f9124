import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VmLab, type VmGuest } from '@tandem/lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The plugin for real, in the VM lab: two storage hosts export a LUN each with LIO (the generated script,
 * run by `tandem volume apply --array`), a node creates the mirror, loses one storage host under writes,
 * keeps serving degraded, gets it back and re-adds it, then stops and starts again. Under TCG this takes
 * about ten minutes. Fails, never skips, when the lab cannot start here.
 */
const CLI = fileURLToPath(new URL('../../../packages/cli/bin/run.js', import.meta.url));
const RUNNER = fileURLToPath(new URL('../dist/testing/agent-runner.js', import.meta.url));
const STEP_MS = 300_000;

let lab: VmLab;
let s1: VmGuest;
let s2: VmGuest;
let n1: VmGuest;
let cfg: string;

const volume = (...args: string[]): string[] => [process.execPath, CLI, 'volume', ...args, '-c', cfg];

async function agent(action: 'start' | 'promote' | 'stop' | 'monitor', config = cfg, env?: Record<string, string>): Promise<{ code: string; reason: string; data?: { degraded?: string; volume?: { state: string } } }> {
  const r = await n1.exec([process.execPath, RUNNER, JSON.stringify({ action, config, node: 'n1' })], { timeoutMs: STEP_MS, allowFailure: true, ...(env ? { env } : {}) });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { code: string; reason: string };
}

async function status(): Promise<{ state: string; members: { array: string; state: string }[]; degraded?: string }> {
  return JSON.parse((await n1.exec(volume('status', '--json'), { timeoutMs: STEP_MS })).stdout) as { state: string; members: { array: string; state: string }[] };
}

beforeAll(async () => {
  lab = await VmLab.up({
    guests: [
      { name: 's1', memoryMiB: 768, disks: [{ id: 'a1', sizeMiB: 64 }] },
      { name: 's2', memoryMiB: 768, disks: [{ id: 'a2', sizeMiB: 64 }] },
      { name: 'n1', memoryMiB: 1024 },
    ],
  });
  [s1, s2, n1] = ['s1', 's2', 'n1'].map((g) => lab.guest(g)) as [VmGuest, VmGuest, VmGuest];
  cfg = `${lab.dir}/tandem.yaml`;
  writeFileSync(
    cfg,
    `cluster: vol
nodes:
  n1:
    nics:
      public: ${n1.address('public')}/24
      storage: { name: eth1, address: ${n1.address('storage')}/25 }
resources:
  - id: volume
    plugin: volume-iscsi-mirror
    options:
      arrayUuid: 3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
      initiatorIqn: "iqn.2026-12.org.tandem:{node}"
      arrays:
        - { name: array1, portal: ${s1.address('storage')}, targetIqn: "iqn.2026-12.org.tandem:array1", device: ${await s1.diskDevice('a1')} }
        - { name: array2, portal: ${s2.address('storage')}, targetIqn: "iqn.2026-12.org.tandem:array2", device: ${await s2.diskDevice('a2')} }
      mount: { path: /srv/tandem, fsType: ext4 }
`,
  );
}, 600_000);

afterAll(async () => {
  await lab?.down();
}, 120_000);

describe('volume-iscsi-mirror in the VM lab', () => {
  it('storage hosts: the script exports one LUN on the storage address only; a second run creates nothing', async () => {
    await s1.exec(volume('apply', '--array', 'array1', '--yes'), { timeoutMs: STEP_MS });
    const again = await s1.exec(volume('apply', '--array', 'array1', '--yes'), { timeoutMs: STEP_MS });
    expect(again.stdout.match(/already present/g)).toHaveLength(6);
    expect(again.stdout).not.toMatch(/^Created/m);
    const tree = (await s1.exec(['targetcli', 'ls'])).stdout;
    expect(tree).toContain(`o- ${s1.address('storage')}:3260`);
    expect(tree).not.toContain('0.0.0.0');
    expect(tree).toMatch(/\[no-gen-acls, no-auth\]/);
    await s2.exec(volume('apply', '--array', 'array2', '--yes'), { timeoutMs: STEP_MS });
  }, 2 * STEP_MS);

  it('the node creates the mirror over the storage NIC and mounts it', async () => {
    const created = await n1.exec(volume('apply', '--node', 'n1', '--create', '--yes'), { timeoutMs: STEP_MS });
    expect(created.stdout).toContain('created /dev/md/tandem-data from array1');
    const sessions = (await n1.exec(['iscsiadm', '-m', 'session', '-P', '3'])).stdout;
    expect(sessions.match(/Iface Netdev: eth1/g)).toHaveLength(2);
    expect((await n1.exec(['cat', '/proc/mounts'])).stdout).toMatch(/ \/srv\/tandem ext4 /);
    expect(await agent('monitor')).toMatchObject({ code: 'ok', data: { volume: { state: 'clean' } } });
  }, STEP_MS);

  it('losing one storage host under writes leaves the volume degraded and serving', async () => {
    await s2.powerOff();
    await n1.sh('dd if=/dev/urandom of=/srv/tandem/during bs=1M count=4 oflag=direct conv=fsync', { timeoutMs: STEP_MS });
    const seen = await agent('monitor');
    expect(seen.code).toBe('ok');
    expect(seen.data?.degraded).toBe('degraded: array2 missing');
    expect((await status()).state).toBe('degraded');
  }, STEP_MS);

  it('when it returns, monitor re-adds it and the resync completes from the running copy', async () => {
    await s2.powerOn();
    // The guest's root is in memory: its LIO setup is gone, as after a storage host's reinstall; the script restores it.
    await s2.exec(volume('apply', '--array', 'array2', '--yes'), { timeoutMs: STEP_MS });
    await n1.sh('for i in $(seq 1 60); do [ "$(iscsiadm -m session -P 3 | grep -c "iSCSI Session State: LOGGED_IN")" = 2 ] && exit 0; sleep 2; done; exit 1', { timeoutMs: STEP_MS });
    const healed = await agent('monitor');
    expect(healed.reason).toContain('array2 re-added');
    await n1.sh('for i in $(seq 1 120); do grep -q "\\[UU\\]" /proc/mdstat && exit 0; sleep 2; done; exit 1', { timeoutMs: STEP_MS });
    expect(await status()).toMatchObject({ state: 'clean', members: [{ state: 'in-sync' }, { state: 'in-sync' }] });
    expect((await n1.exec(['ls', '/srv/tandem'])).stdout).toContain('during');
  }, 2 * STEP_MS);

  it('stop unmounts, stops and logs out; promote assembles the same array again', async () => {
    expect((await agent('stop')).code).toBe('ok');
    expect((await n1.exec(['iscsiadm', '-m', 'session'], { allowFailure: true })).exitCode).toBe(21);
    expect((await agent('monitor')).code).toBe('not-running');
    expect(await agent('promote')).toMatchObject({ code: 'ok', reason: expect.stringContaining('both members present') });
    expect((await n1.exec(['ls', '/srv/tandem'])).stdout).toContain('during');
  }, 2 * STEP_MS);

  it('CHAP: the targets then demand it; a wrong password is refused at login, the right one assembles the same array', async () => {
    expect((await agent('stop')).code).toBe('ok');
    const chapCfg = `${lab.dir}/tandem-chap.yaml`;
    writeFileSync(chapCfg, readFileSync(cfg, 'utf8').replace('      mount: {', '      chap: { user: n1-chap, password: { env: TANDEM_CHAP_PASSWORD } }\n      mount: {'));
    const password = (pw: string): Record<string, string> => ({ TANDEM_CHAP_PASSWORD: pw });
    for (const [host, array] of [[s1, 'array1'], [s2, 'array2']] as const) {
      await host.exec([process.execPath, CLI, 'volume', 'apply', '--array', array, '--yes', '-c', chapCfg], { timeoutMs: STEP_MS, env: password('lab-chap-secret1') });
    }
    // The password came from the environment at run time: it is in LIO's ACL, never in the script.
    const tpg = '/sys/kernel/config/target/iscsi/iqn.2026-12.org.tandem:array1/tpgt_1';
    expect((await s1.exec(['cat', `${tpg}/attrib/authentication`, `${tpg}/acls/iqn.2026-12.org.tandem:n1/auth/userid`])).stdout.split('\n').slice(0, 2)).toEqual(['1', 'n1-chap']);
    const plan = (await s1.exec([process.execPath, CLI, 'volume', 'plan', '--array', 'array1', '-c', chapCfg], { timeoutMs: STEP_MS, env: password('lab-chap-secret1') })).stdout;
    expect(plan).not.toContain('lab-chap-secret1');

    const refused = await agent('promote', chapCfg, password('not-the-secret'));
    expect(refused.code).toBe('failed');
    // iscsiadm's own words for a CHAP refusal (exit 24), carried into the reason an operator reads.
    expect(refused.reason).toMatch(/not logged in: array1: .*(authori[sz]ation failure|exited 24)/i);
    expect((await n1.exec(['iscsiadm', '-m', 'session'], { allowFailure: true })).exitCode).toBe(21);
    expect(await agent('promote', chapCfg, password('lab-chap-secret1'))).toMatchObject({ code: 'ok', reason: expect.stringContaining('both members present') });
    expect((await n1.exec(['ls', '/srv/tandem'])).stdout).toContain('during');
  }, 3 * STEP_MS);
});
