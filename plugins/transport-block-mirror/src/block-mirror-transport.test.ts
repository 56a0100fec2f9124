import { describe, expect, it } from 'vitest';
import { SystemClock, type CallContext, type NodeInfo } from '@tandem/core';
import { WalTools } from '@tandem/plugin-transport-wal-mirror';
import { BlockMirrorTransport } from './block-mirror-transport.js';
import { blockMirrorOptions } from './options.js';
import { BlockMirrorTakeover } from './takeover-strategy.js';
import { FakeBlockHost } from './test-support/fake-block-host.js';

const s1: NodeInfo = { name: 's1', nics: { storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 25 } } };
const s2: NodeInfo = { name: 's2', nics: { storage: { name: 'eth1', address: '198.51.100.12', prefixLength: 25 } } };
const options = blockMirrorOptions.parse({
  arrayUuid: '6C1F0A9E:2B7D4C31:9E08A5F2:41D3B7C6',
  localDevice: '/dev/vdb',
  initiatorIqn: 'iqn.2026-12.org.tandem:{node}',
  mountPath: '/var/lib/postgresql/wal-mirror',
  stagingDir: '/var/lib/postgresql/wal-inflight',
  binDir: '/usr/lib/postgresql/15/bin',
});
const ctx = (): CallContext => ({ timeoutMs: 60_000, signal: new AbortController().signal });
const SEG = 16 * 2 ** 20;

function on(self: NodeInfo, host = new FakeBlockHost()): { t: BlockMirrorTransport; host: FakeBlockHost } {
  const t = new BlockMirrorTransport(options, host, new WalTools(host, options.binDir, 'postgres', true), { self, nodes: [s1, s2] }, new SystemClock());
  return { t, host };
}

/** A standby whose disk holds 16 MiB segments 3..6 (5 and 6 recycled ahead) and whose replay stopped at 0/3000060. */
function takenOverStandby(): { t: BlockMirrorTransport; host: FakeBlockHost } {
  const { t, host } = on(s2);
  host.exported = true;
  host.walFiles = ['000000010000000000000003', '000000010000000000000004', '000000010000000000000005', '000000010000000000000006'].map((name) => ({ name, size: SEG }));
  host.waldump = [
    { match: /-q -s 0\/3000060/, exitCode: 1, stderr: 'pg_waldump: error: error in WAL record at 0/40A1F28: unexpected pageaddr 0/10A2000 in log segment 000000010000000000000004, offset 663552' },
    { match: /-n 1 -s 0\/40A1F28/, exitCode: 0, stdout: 'rmgr: Transaction len (rec/tot):     34/    34, tx:        732, lsn: 0/040A1F28, prev 0/004A1DB8, desc: COMMIT 2026-12-01 08:17:15.159765 UTC\n' },
  ];
  return { t, host };
}

describe('standby side', () => {
  it('exports the local disk with the volume plugin script: portal on the storage address only, ACL for the primary', async () => {
    const { t, host } = on(s2);
    const o = await t.start({ ...ctx(), primary: s1 });
    expect(o.code, o.reason).toBe('ok');
    const script = host.recorded.find((s) => s.file === 'sh')?.input ?? '';
    expect(script).toContain('/backstores/block create name=tandem-tandem-wal dev=/dev/vdb');
    expect(script).toContain('portals create 198.51.100.12 3260');
    expect(script).toContain('acls create iqn.2026-12.org.tandem:s1');
    expect(script).not.toContain('iqn.2026-12.org.tandem:s2 add_mapped_luns');
    expect(script).toContain('emulate_pr=1');
    const before = host.recorded.length;
    expect((await t.start({ ...ctx(), primary: s1 })).code).toBe('ok');
    expect(host.recorded.slice(before).some((s) => s.file === 'sh' || s.file === 'targetcli'), 'a second start changes nothing').toBe(false);
    expect((await t.status(ctx())).data?.role).toBe('sink');
  });

  it('inFlight on a standby still exporting is failed and changes nothing (the primary may be writing the disk)', async () => {
    const { t, host } = on(s2);
    host.exported = true;
    const o = await t.inFlight(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/still exported/);
    expect(host.lines().filter((l) => /^(targetcli|mdadm --assemble|mount|sh)/.test(l))).toEqual([]);
  });

  it('takes over in order: stop exporting, check the UUID, assemble read-only without --force, mount read-only without skipping the journal', async () => {
    const { t, host } = on(s2);
    host.exported = true;
    const o = await t.takeOver(ctx());
    expect(o.code, o.reason).toBe('ok');
    const lines = host.lines();
    const del = lines.findIndex((l) => l === 'targetcli');
    const asm = lines.findIndex((l) => l.startsWith('mdadm --assemble'));
    const mnt = lines.findIndex((l) => l.startsWith('mount '));
    expect(del).toBeGreaterThanOrEqual(0);
    expect(del).toBeLessThan(asm);
    expect(asm).toBeLessThan(mnt);
    expect(host.recorded[del]!.input).toBe('/backstores/block delete tandem-tandem-wal\nsaveconfig\nexit\n');
    expect(lines[asm]).toBe('mdadm --assemble /dev/md/tandem-wal --readonly --uuid=6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6 --run /dev/vdb');
    expect(lines[mnt]).toBe('mount -t ext4 -o ro /dev/md/tandem-wal /var/lib/postgresql/wal-mirror');
    expect(lines.join('\n')).not.toMatch(/--force|noload|norecovery/);
    // Again: nothing new is assembled or mounted.
    expect((await t.takeOver(ctx())).code).toBe('ok');
    expect(host.lines().filter((l) => l.startsWith('mdadm --assemble') || l.startsWith('mount ')).length).toBe(2);
  });

  it('refuses a member of another array, and a backstore that will not go away', async () => {
    const other = on(s2);
    other.host.superblockUuid = '00000000:11111111:22222222:33333333';
    const o = await other.t.takeOver(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/belongs to array 00000000/);
    expect(other.host.lines().some((l) => l.startsWith('mdadm --assemble'))).toBe(false);

    const stuck = on(s2);
    stuck.host.exported = true;
    stuck.host.deleteFails = true;
    const s = await stuck.t.takeOver(ctx());
    expect(s.code).toBe('failed');
    expect(s.reason).toMatch(/still there/);
    expect(stuck.host.lines().some((l) => l.startsWith('mdadm --assemble'))).toBe(false);
  });

  it('inFlight after the takeover: from the replay position to the end of the last whole record, staged as a pg_receivewal-like directory', async () => {
    const { t, host } = takenOverStandby();
    expect((await t.takeOver(ctx())).code).toBe('ok');
    const o = await t.inFlight(ctx());
    expect(o.code, o.reason).toBe('ok');
    // The record at 0/40A1F28 is 34 bytes: the end is 0/40A1F50 (MAXALIGN), not the old page address in the message.
    expect(o.data).toEqual({ from: { offset: 0x3000060, label: '0/3000060' }, to: { offset: 0x40a1f50, label: '0/40A1F50' }, location: '/var/lib/postgresql/wal-inflight' });
    const lines = host.lines();
    expect(lines).toContain('pg_waldump -t 1 -p /var/lib/postgresql/wal-mirror/pg_wal -q -s 0/3000060');
    expect(lines).toContain('cp --no-preserve=all /var/lib/postgresql/wal-mirror/pg_wal/000000010000000000000003 /var/lib/postgresql/wal-inflight/');
    expect(lines).toContain('cp --no-preserve=all /var/lib/postgresql/wal-mirror/pg_wal/000000010000000000000004 /var/lib/postgresql/wal-inflight/000000010000000000000004.partial');
    const cut = lines.indexOf(`truncate -s ${0x40a1f50 - 4 * SEG} /var/lib/postgresql/wal-inflight/000000010000000000000004.partial`);
    const pad = lines.indexOf(`truncate -s ${SEG} /var/lib/postgresql/wal-inflight/000000010000000000000004.partial`);
    expect(cut).toBeGreaterThan(0);
    expect(pad).toBeGreaterThan(cut);
    // Segments 5 and 6 are recycled files past the end: never staged.
    expect(lines.some((l) => l.includes('000000010000000000000005') && !l.startsWith('find'))).toBe(false);
  });

  it('a missing next segment: a zero-filled stand-in lets pg_waldump name the last whole record', async () => {
    const { t, host } = takenOverStandby();
    host.walFiles = host.walFiles.slice(0, 1);
    host.waldump = [
      { match: /-p \/var\/lib\/postgresql\/wal-mirror\/pg_wal -q/, exitCode: 1, stderr: 'pg_waldump: error: could not find file "000000010000000000000004": No such file or directory' },
      { match: /-p \/var\/lib\/postgresql\/wal-inflight.scan -q/, exitCode: 1, stderr: 'pg_waldump: error: error in WAL record at 0/3FFFF00: invalid magic number 0000 in log segment 000000010000000000000004, offset 0' },
      { match: /-n 1 -s 0\/3FFFF00/, exitCode: 0, stdout: 'rmgr: Heap        len (rec/tot):    363/   363, tx: 9, lsn: 0/03FFFF00, prev 0/03FFFB90, desc: INSERT\n' },
    ];
    await t.takeOver(ctx());
    const o = await t.inFlight(ctx());
    expect(o.code, o.reason).toBe('ok');
    // 0x3FFFF00 + 363 crosses into segment 4: 0x100 bytes on the last page, 0x6B after the 40-byte long header, MAXALIGNed.
    expect(o.data?.to.label).toBe('0/4000098');
    expect(host.lines()).toContain(`truncate -s ${SEG} /var/lib/postgresql/wal-inflight.scan/000000010000000000000004`);
  });

  it('starts the scan where reception stopped when the primary recycled the segment of the replay position (the standby has it)', async () => {
    const { t, host } = takenOverStandby();
    host.replayLsn = '0/2F00000';
    host.receivedLsn = '0/3000060';
    await t.takeOver(ctx());
    const o = await t.inFlight(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(o.data?.from.label).toBe('0/2F00000');
    expect(o.data?.to.label).toBe('0/40A1F50');
    expect(o.reason).toMatch(/where reception stopped/);
    host.receivedLsn = undefined;
    const refused = await t.inFlight(ctx());
    expect(refused.code).toBe('failed');
    expect(refused.reason).toMatch(/replication slot/);
  });

  it('inFlight is failed when the standby is not in recovery, or pg_waldump says something unknown', async () => {
    const promoted = takenOverStandby();
    await promoted.t.takeOver(ctx());
    promoted.host.replayLsn = undefined;
    expect((await promoted.t.inFlight(ctx())).reason).toMatch(/not in recovery/);
    const odd = takenOverStandby();
    await odd.t.takeOver(ctx());
    odd.host.waldump = [{ match: /-q/, exitCode: 1, stderr: 'pg_waldump: error: something else' }];
    const o = await odd.t.inFlight(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/does not know/);
  });

  it('status of a taken-over member is sink (read-only array), never source', async () => {
    const { t, host } = takenOverStandby();
    await t.takeOver(ctx());
    host.mounted = 'no';
    const o = await t.status(ctx());
    expect(o.data).toEqual({ role: 'sink' });
    expect(o.reason).toMatch(/taken over/);
  });

  it('readiness before any fence: ok while the member is exported or taken over, failed when it is neither, and it changes nothing', async () => {
    // The eligibility check asks this before the lease: inFlight can only be read after fencing and a takeover
    // (the VM lab's block-mirror failover: the standby was never eligible and never took over).
    const { t, host } = on(s2);
    host.exported = true;
    const armed = await t.readiness(ctx());
    expect(armed.code, armed.reason).toBe('ok');
    expect(armed.reason).toMatch(/takeover \(after fencing\) can read its WAL/);
    expect(host.lines().filter((l) => /^(targetcli|mdadm --assemble|mount|sh)/.test(l))).toEqual([]);
    host.exported = false;
    expect((await t.readiness(ctx())).code).toBe('failed');
    const taken = takenOverStandby();
    await taken.t.takeOver(ctx());
    expect((await taken.t.readiness(ctx())).code).toBe('ok');
  });

  it('stop releases a takeover: unmount, stop the array', async () => {
    const { t, host } = takenOverStandby();
    await t.takeOver(ctx());
    const o = await t.stop(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(host.mounted).toBe('no');
    expect(host.md).toBeUndefined();
    expect((await t.status(ctx())).code).toBe('not-running');
  });
});

describe('primary side', () => {
  it('logs in over the storage iface, assembles the two members by UUID (never --force), mounts read-write; status gives the flush LSN in sync', async () => {
    const { t, host } = on(s1);
    const o = await t.start(ctx());
    expect(o.code, o.reason).toBe('ok');
    const lines = host.lines();
    expect(lines).toContain('iscsiadm -m iface -I tandem-storage -o update -n iface.net_ifacename -v eth1');
    expect(lines).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:wal-s2 -p 198.51.100.12:3260 -I tandem-storage -o update -n node.session.timeo.replacement_timeout -v -1');
    expect(lines).toContain('mdadm --assemble /dev/md/tandem-wal --uuid=6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6 --run /dev/vdb /dev/sda');
    expect(lines).toContain('mount -t ext4 /dev/md/tandem-wal /var/lib/postgresql/wal-mirror');
    expect(lines.join('\n')).not.toMatch(/--force|--create/);
    const st = await t.status(ctx());
    expect(st.data).toEqual({ role: 'source', flushed: { offset: 0x5000110, label: '0/5000110' } });
  });

  it('reports no flushed position while the standby member is missing or recovering', async () => {
    const { t, host } = on(s1);
    await t.start(ctx());
    host.md!.members.pop();
    const degraded = await t.status(ctx());
    expect(degraded.data).toEqual({ role: 'source' });
    expect(degraded.reason).toMatch(/NOT in sync/);
    host.md!.members.push('/dev/sda');
    host.md!.recovering = 40;
    expect((await t.status(ctx())).data?.flushed).toBeUndefined();
  });

  it('refuses to assemble a LUN that is not a member (it never creates an array)', async () => {
    const { t, host } = on(s1);
    host.superblockUuid = undefined;
    const o = await t.start(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/no md superblock/);
    expect(host.lines().some((l) => l.startsWith('mdadm --assemble') || l.startsWith('mdadm --create'))).toBe(false);
  });
});

describe('primary side through the core hooks (startSource / stopSource)', () => {
  const withDataDir = blockMirrorOptions.parse({ ...options, dataDir: '/var/lib/postgresql/15/main' });
  const onNode = (self: NodeInfo, host = new FakeBlockHost()) => ({ t: new BlockMirrorTransport(withDataDir, host, new WalTools(host, options.binDir, 'postgres', true), { self, nodes: [s1, s2] }, new SystemClock()), host });

  it('assembles and mounts when pg_wal links into the mirror; stopSource unmounts, stops the array, logs out', async () => {
    const { t, host } = onNode(s1);
    host.pgWalTarget = '/var/lib/postgresql/wal-mirror/pg_wal';
    const o = await t.startSource(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(host.mounted).toBe('rw');
    expect(host.lines()).toContain('readlink -m /var/lib/postgresql/15/main/pg_wal');
    const released = await t.stopSource(ctx());
    expect(released.code, released.reason).toBe('ok');
    expect(host.mounted).toBe('no');
    expect(host.md).toBeUndefined();
    expect(host.lines()).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:wal-s2 -p 198.51.100.12:3260 -I tandem-storage --logout');
  });

  it('a node promoted by a takeover (its own pg_wal) assembles nothing and says its WAL is local', async () => {
    const { t, host } = onNode(s2);
    const o = await t.startSource(ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(o.reason).toMatch(/pg_wal is \/var\/lib\/postgresql\/15\/main\/pg_wal, not on the mirror.*local/);
    expect(host.lines().some((l) => l.startsWith('iscsiadm') || l.startsWith('mdadm --assemble'))).toBe(false);
  });

  it('stopSource leaves a standby alone: its export stays, a taken-over member stays read-only', async () => {
    const { t, host } = onNode(s2);
    expect((await t.start({ ...ctx(), primary: s1 })).code).toBe('ok');
    expect((await t.stopSource(ctx())).code).toBe('ok');
    expect(host.exported).toBe(true);
    // Never logged in: nothing to log out (the iface a logout names may not even exist on this node).
    expect(host.lines().some((l) => l.includes('--logout'))).toBe(false);
    const taken = takenOverStandby();
    expect((await taken.t.takeOver(ctx())).code).toBe('ok');
    const o = await taken.t.stopSource(ctx());
    expect(o.reason).toMatch(/taken over read-only/);
    expect(taken.host.mounted).toBe('ro');
    expect(taken.host.md?.readOnly).toBe(true);
  });
});

describe('takeover as a recovery strategy', () => {
  const input = { failed: s1, candidate: s2, epoch: 7, kind: 'failover' as const, acceptDataLoss: false };

  it('takes over and reports the staged range, replaying nothing itself', async () => {
    const { t } = takenOverStandby();
    const o = await new BlockMirrorTakeover(t).execute(input, ctx());
    expect(o.code, o.reason).toBe('ok');
    expect(o.data).toMatchObject({ compensated: 0, lostBytes: 0, to: { label: '0/40A1F50' } });
  });

  it('refuses a zero-loss promotion when the member cannot be read, unless the operator accepts the loss', async () => {
    const bad = takenOverStandby();
    bad.host.superblockUuid = undefined;
    expect((await new BlockMirrorTakeover(bad.t).execute(input, ctx())).code).toBe('failed');
    const accepted = await new BlockMirrorTakeover(bad.t).execute({ ...input, acceptDataLoss: true }, ctx());
    expect(accepted.code).toBe('ok');
    expect(accepted.data?.lostBytes).toBe(-1);
  });
});
