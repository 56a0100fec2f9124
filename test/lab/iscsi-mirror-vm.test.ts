import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabWorkload, VmLab, waitUntil as until, type VmGuest } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';

/**
 * examples/iscsi-mirror-four-nic.yaml end to end in the VM lab, as is: two
 * storage hosts (a1, a2) export a LUN each with the generated targetcli
 * script, two servers (s1, s2) run the agent with the group volume ->
 * reservation -> VIP -> PostgreSQL -> application, a client writes through
 * the VIP. Faults: the serving guest powered off under writes, one storage
 * host powered off and back, both private links cut.
 */
const CONFIG = join(repoRoot, 'examples/iscsi-mirror-four-nic.yaml');
const CLI = join(repoRoot, 'packages/cli/bin/run.js');
const VIP = '192.0.2.10';
/** One `tandem` CLI run in a guest: oclif starts in about 20 s under TCG alone, and took over 60 s in CI beside other VM tests. */
const CLI_MS = 180_000;
const IQN = (host: string): string => `iqn.2026-12.org.tandem.ledger:${host}`;

let lab: VmLab;
let workload: LabWorkload | undefined;
let failed = false;

const g = (name: string): VmGuest => lab.guest(name);
const other = (server: string): string => (server === 's1' ? 's2' : 's1');

async function tandem(guest: string, args: readonly string[], timeoutMs = 240_000): Promise<string> {
  return (await g(guest).exec([process.execPath, CLI, ...args, '-c', CONFIG], { timeoutMs })).stdout;
}

/** Which server answers on the VIP's application port: the application prints its host name. */
async function vipHolder(): Promise<string | undefined> {
  const r = await lab.auxExec('gw', ['bash', '-c', `exec 3<>/dev/tcp/${VIP}/8080 && timeout 3 cat <&3`], 10_000);
  return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
}

async function leaseHolder(from: string): Promise<string | undefined> {
  const status = JSON.parse(await tandem(from, ['status', '--json'], CLI_MS)) as { lease?: { holder: string } };
  return status.lease?.holder;
}

async function eventTypes(from: string): Promise<string[]> {
  const out = JSON.parse(await tandem(from, ['events', '--json', '--limit', '200'], CLI_MS)) as { events: { type: string; message: string }[] };
  return out.events.map((e) => `${e.type}: ${e.message}`);
}

function startAgent(server: string): Promise<unknown> {
  return g(server).sh(`setsid ${process.execPath} ${CLI} agent start -c ${CONFIG} --log-format json >>${g(server).dir}/agent.log 2>&1 </dev/null &`);
}

/**
 * A direct write to each LUN from this guest, bypassing md, inside the LUN (at 234 MiB of 256): what the
 * reservation must refuse. Refused means EBADE (a reservation conflict), not some other dd failure.
 */
async function expectWritesRefused(server: string): Promise<void> {
  const write = await rawWriteToLuns(server);
  expect(write.exitCode, write.output).not.toBe(0);
  // EBADE is how Linux reports a SCSI reservation conflict to the writer.
  expect(write.output).toMatch(/Invalid exchange/);
  expect(write.output).not.toMatch(/No space left|Invalid argument|No such file/);
}

async function rawWriteToLuns(server: string): Promise<{ exitCode: number; output: string }> {
  const script = [
    'rc=0',
    `for dev in $(iscsiadm -m session -P 3 | sed -n 's/.*Attached scsi disk \\(sd[a-z]*\\).*/\\1/p'); do`,
    '  dd if=/dev/zero of=/dev/$dev bs=4096 count=1 seek=60000 oflag=direct,sync 2>&1 || rc=1',
    'done',
    'exit $rc',
  ].join('\n');
  const r = await g(server).sh(script, { allowFailure: true, timeoutMs: 120_000 });
  return { exitCode: r.exitCode, output: r.stdout + r.stderr };
}

beforeAll(async () => {
  ensureBuilt();
  lab = await VmLab.up({
    guests: [
      { name: 'a1', nics: { public: '192.0.2.21', storage: '198.51.100.21' }, memoryMiB: 512, disks: [{ id: 'array', sizeMiB: 256 }] },
      { name: 'a2', nics: { public: '192.0.2.22', storage: '198.51.100.22' }, memoryMiB: 512, disks: [{ id: 'array', sizeMiB: 256 }] },
      { name: 's1', memoryMiB: 1536 },
      { name: 's2', memoryMiB: 1536 },
    ],
    store: {},
    tester: '198.51.100.100',
  });
}, 600_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await workload?.stop();
  // The guests' own logs live in their memory: copy them next to the agent logs before the lab goes.
  if (failed && lab) {
    for (const s of ['s1', 's2']) {
      if (g(s).running) await g(s).sh(`mkdir -p ${g(s).dir}/logs; cp /var/log/tandem/*.log /run/tandem/*.log ${g(s).dir}/logs/ 2>/dev/null; dmesg > ${g(s).dir}/logs/dmesg.txt`, { allowFailure: true }).catch(() => undefined);
    }
  }
  if (lab) await lab.down({ keepDir: failed });
  if (failed && lab) console.error(`VM lab kept for inspection: ${lab.dir}`);
}, 120_000);

describe('iSCSI mirrored volume over four-NIC servers (VM lab)', { timeout: 900_000 }, () => {
  it('storage hosts: the generated script exports the LUN on the storage NIC only, and a second run changes nothing', async () => {
    for (const a of ['a1', 'a2']) {
      const first = await tandem(a, ['volume', 'apply', '--array', a, '--yes']);
      expect(first).toContain(`exported on ${g(a).address('storage')}:3260`);
      const saved = async (): Promise<string> => createHash('sha256').update((await g(a).exec(['cat', '/etc/rtslib-fb-target/saveconfig.json'])).stdout).digest('hex');
      const before = await saved();
      const second = await tandem(a, ['volume', 'apply', '--array', a, '--yes']);
      expect(second).toMatch(/already present/);
      expect(second).not.toMatch(/Created/);
      expect(await saved()).toBe(before);
      const listening = (await g(a).exec(['ss', '-Hltn', 'sport = :3260'])).stdout;
      expect(listening).toContain(`${g(a).address('storage')}:3260`);
      expect(listening).not.toMatch(/0\.0\.0\.0:3260|\*:3260|192\.0\.2\.2\d:3260/);
    }
  });

  it("passes libiscsi's conformance tests (persistent reservations, read/write) against both exported LUNs", async () => {
    // As the two servers' initiator names: the ACLs admit exactly those, and PR needs two I_T nexuses.
    const tests = ['ALL.TestUnitReady', 'ALL.ReadCapacity10', 'ALL.Read10.Simple', 'ALL.Write10.Simple', 'ALL.PrinReadKeys', 'ALL.ProutRegister', 'ALL.ProutReserve', 'ALL.ProutPreempt', 'ALL.ProutClear'];
    for (const a of ['a1', 'a2']) {
      for (const test of tests) {
        const url = `iscsi://${g(a).address('storage')}/${IQN(a)}/0`;
        const r = await lab.auxExec('tester', ['iscsi-test-cu', '-d', '-n', '-i', IQN('s1'), '-I', IQN('s2'), `--test=${test}`, url], 300_000);
        const summary = /tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(r.stdout);
        expect(summary, `${a} ${test}: no CUnit summary\n${r.stdout}\n${r.stderr}`).not.toBeNull();
        const [, , ran, passed, failedCount] = summary!.map(Number);
        expect(ran, `${a} ${test} ran nothing`).toBeGreaterThan(0);
        expect(failedCount, `${a} ${test}:\n${r.stdout.slice(-3000)}`).toBe(0);
        expect(passed).toBe(ran);
      }
    }
  });

  it('s1 creates the mirror once; a database is made on it; volume status shows both members in sync', async () => {
    await tandem('s1', ['volume', 'apply', '--node', 's1', '--create', '--yes']);
    const status = await until('a clean mirror on s1', 300_000, async () => {
      const s = JSON.parse(await tandem('s1', ['volume', 'status', '--json'], CLI_MS)) as { state: string; members: { state: string }[] };
      return s.state === 'clean' ? s : undefined;
    });
    expect(status.members.map((m) => m.state)).toEqual(['in-sync', 'in-sync']);
    // PostgreSQL's data lives on the mirror. The agents take it from here, so the volume is handed back stopped.
    await g('s1').sh(
      [
        'set -e',
        'mountpoint -q /srv/ledger',
        'install -d -o postgres -g postgres /srv/ledger/pgdata',
        'setpriv --reuid=postgres --regid=postgres --init-groups /usr/lib/postgresql/15/bin/initdb -D /srv/ledger/pgdata --auth=trust -U postgres >/dev/null',
        "echo 'host all all 0.0.0.0/0 trust' >> /srv/ledger/pgdata/pg_hba.conf",
        'sync',
      ].join('\n'),
      { timeoutMs: 600_000 },
    );
    await g('s1').sh('umount /srv/ledger && mdadm --stop /dev/md/ledger && iscsiadm -m node --logout', { timeoutMs: 120_000 });
  });

  it('agents bring the group up on one server: volume, reservation, VIP, database, application', async () => {
    await startAgent('s1');
    await startAgent('s2');
    const holder = await until('the application on the VIP', 400_000, vipHolder);
    expect(['s1', 's2']).toContain(holder);
    expect(await leaseHolder(holder)).toBe(holder);
    workload = LabWorkload.startIn({ namespace: lab.aux.get('gw')!.namespace, dir: lab.dir, port: 5432, user: 'postgres', database: 'postgres', password: 'unused', hosts: '' }, VIP, 100);
    expect(await workload.waitAckAfter(0, 120_000)).toBe(true);
    // The standby is logged in to both LUNs (to fence and to check the array) but does not own them.
    const standby = other(holder);
    expect((await g(standby).exec(['iscsiadm', '-m', 'session'])).stdout.trim().split('\n')).toHaveLength(2);
    await expectWritesRefused(standby);
  });

  it('power off the serving server under writes: the other takes the volume, VIP and database; no acknowledged write is lost; the old owner cannot write', async () => {
    const old = (await vipHolder())!;
    const next = other(old);
    const cutAt = Date.now();
    await g(old).powerOff();
    expect(await until(`the application on ${next}`, 300_000, async () => ((await vipHolder()) === next ? next : undefined))).toBe(next);
    expect(await workload!.waitAckAfter(cutAt, 120_000)).toBe(true);
    const report = await workload!.verify(500);
    expect(report.verify.lost).toEqual([]);
    expect(report.verify.acked).toBeGreaterThan(0);
    // The old owner boots again (no agent): its writes to the LUNs are refused by the reservation.
    await g(old).powerOn();
    await g(old).sh(`echo InitiatorName=${IQN(old)} > /etc/iscsi/initiatorname.iscsi; iscsid; sleep 1; for p in 198.51.100.21 198.51.100.22; do iscsiadm -m discovery -t st -p $p >/dev/null; done; iscsiadm -m node --login`, { timeoutMs: 120_000 });
    await expectWritesRefused(old);
    await startAgent(old);
  });

  it('one storage host lost: the volume stays up degraded and an event says so; back: re-added and resynchronised', async () => {
    const primary = (await vipHolder())!;
    await g('a2').powerOff();
    await until('a degraded volume', 300_000, async () => {
      const s = JSON.parse(await tandem(primary, ['volume', 'status', '--json'], CLI_MS)) as { state: string };
      return s.state === 'degraded' ? s : undefined;
    });
    const lostAt = Date.now();
    expect(await workload!.waitAckAfter(lostAt, 120_000)).toBe(true);
    expect((await eventTypes(primary)).some((e) => e.startsWith('resource.degraded'))).toBe(true);
    await g('a2').powerOn();
    await tandem('a2', ['volume', 'apply', '--array', 'a2', '--yes']);
    await until('a clean volume after resync', 600_000, async () => {
      const s = JSON.parse(await tandem(primary, ['volume', 'status', '--json'], CLI_MS)) as { state: string };
      return s.state === 'clean' ? s : undefined;
    });
    expect((await eventTypes(primary)).some((e) => e.startsWith('resource.recovered'))).toBe(true);
  });

  it('both private links cut: exactly one server keeps writing', async () => {
    const primary = (await vipHolder())!;
    const standby = other(primary);
    await g(primary).cutLink('privateA');
    await g(primary).cutLink('privateB');
    const cutAt = Date.now();
    // Longer than confirmation plus a lease: the standby suspects a partition but may not take over.
    await new Promise((r) => setTimeout(r, 45_000));
    expect(await vipHolder()).toBe(primary);
    expect(await leaseHolder(standby)).toBe(primary);
    expect(await workload!.waitAckAfter(cutAt + 30_000, 60_000)).toBe(true);
    await expectWritesRefused(standby);
    await g(primary).restoreLink('privateA');
    await g(primary).restoreLink('privateB');
    const report = await workload!.verify(500);
    expect(report.verify.lost).toEqual([]);
    expect(report.splitBrain.windows ?? []).toEqual([]);
  });
});
