import { DryRunCommandRunner, REDACTED } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { FakeMirrorHost } from './fake-mirror-host.js';
import { ARRAY_UUID, ctx, db1, db2, testOptions } from './testing/fixtures.js';
import { VolumeAdmin } from './volume-admin.js';

const chapOptions = testOptions({ chap: { user: 'tandem', password: { env: 'TANDEM_CHAP_PASSWORD' } }, mount: { path: '/srv/tandem' } });

describe('VolumeAdmin.plan', () => {
  it('for a node: the exact commands apply runs on a fresh host, as a script, with placeholders for disks and no secret', async () => {
    const admin = new VolumeAdmin(chapOptions, [db1, db2], { runner: new FakeMirrorHost(chapOptions) });
    const o = await admin.plan({ node: 'db2' });
    expect(o.code).toBe('ok');
    const script = o.data!.script;
    expect(script.split('\n').slice(0, 2)).toEqual(['#!/bin/sh', '# tandem volume apply --node db2: /dev/md/tandem-data on a host where nothing is set up yet']);
    expect(script).toContain('timeout 30s iscsiadm -m iface -I tandem-storage -o update -n iface.initiatorname -v iqn.2026-12.org.tandem:db2');
    expect(script).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:array2 -p 198.51.100.22:3260 -I tandem-storage --login');
    expect(script).toContain(`mdadm --assemble /dev/md/tandem-data --uuid=${ARRAY_UUID} --run '/dev/<array1-disk>' '/dev/<array2-disk>'`);
    expect(script).toContain('mount -t ext4 /dev/md/tandem-data /srv/tandem');
    // The CHAP password goes into the node record on stdin; the plan shows where, never what.
    expect(script).toContain(`timeout 30s sh -c 'umask 077 && rm -f -- "$1" && set -C && cat > "$1"' tandem-write-private /etc/iscsi/nodes/iqn.2026-12.org.tandem:array2/198.51.100.22,3260,1/tandem-storage.tandem-new <<'TANDEM_INPUT'\n***\nTANDEM_INPUT`);
    expect(script).not.toContain('/dev/stdin');
    expect(script).not.toContain('node.session.auth.password');
    expect(o.data!.commands.length).toBeGreaterThan(10);
  });

  it('plan with create shows mdadm --create with the bitmap and the filesystem, and no assemble', async () => {
    const admin = new VolumeAdmin(chapOptions, [db1, db2], { runner: new FakeMirrorHost(chapOptions) });
    const script = (await admin.plan({ node: 'db1' }, true)).data!.script;
    expect(script).toContain(`mdadm --create /dev/md/tandem-data --level=1 --raid-devices=2 --metadata=1.2 --bitmap=internal --uuid=${ARRAY_UUID} --name=tandem-data --run`);
    expect(script).toContain('mkfs.ext4 -q -F /dev/md/tandem-data');
    expect(script).not.toContain('--assemble');
  });

  it('for a storage host: its targetcli script with an ACL for every node; an unknown name is a config-error', async () => {
    const admin = new VolumeAdmin(chapOptions, [db1, db2], { runner: new FakeMirrorHost(chapOptions) });
    const o = await admin.plan({ array: 'array2' });
    expect(o.data?.kind).toBe('storage-host');
    expect(o.data?.script).toContain('acls create iqn.2026-12.org.tandem:db1');
    expect(o.data?.script).toContain('acls create iqn.2026-12.org.tandem:db2');
    expect(o.data?.script).toContain('portals create 198.51.100.22 3260');
    expect(await admin.plan({ array: 'array9' })).toMatchObject({ code: 'config-error', reason: expect.stringContaining('array1, array2') });
    expect(await admin.plan({ node: 'db9' })).toMatchObject({ code: 'config-error', reason: expect.stringContaining('db1, db2') });
  });
});

describe('VolumeAdmin.apply and status', () => {
  it('apply on a node brings the volume up with the given runner; status then reads it', async () => {
    const options = testOptions();
    const host = new FakeMirrorHost(options, ['sdb', 'sdc']).withCreatedArray();
    const admin = new VolumeAdmin(options, [db1, db2], { runner: host });
    expect((await admin.apply({ node: 'db1' }, false, ctx())).code).toBe('ok');
    const s = await admin.status('db1', ctx());
    expect(s.data).toMatchObject({ state: 'clean', kernelName: 'md127', members: [{ array: 'array1', state: 'in-sync' }, { array: 'array2', state: 'in-sync' }] });
  });

  it('apply --create refuses when a member already has a superblock', async () => {
    const options = testOptions();
    const host = new FakeMirrorHost(options, ['sdb', 'sdc']);
    host.luns.get('array2')!.superblock = { uuid: ARRAY_UUID, events: 3, role: 1, arrayState: 'AA' };
    const o = await new VolumeAdmin(options, [db1], { runner: host }).apply({ node: 'db1' }, true, ctx());
    expect(o).toMatchObject({ code: 'config-error', reason: expect.stringContaining('/dev/sdc (array2) already belongs to md array') });
    expect(host.lines().some((l) => l.startsWith('mdadm --create'))).toBe(false);
  });

  it('apply --create on blank LUNs creates the mirror', async () => {
    const options = testOptions();
    const host = new FakeMirrorHost(options, ['sdb', 'sdc']);
    const o = await new VolumeAdmin(options, [db1], { runner: host }).apply({ node: 'db1' }, true, ctx());
    expect(o).toMatchObject({ code: 'ok', reason: expect.stringContaining('created /dev/md/tandem-data from array1 /dev/sdb and array2 /dev/sdc') });
  });

  it('apply on a storage host runs its script with sh -s', async () => {
    const options = testOptions();
    const host = new FakeMirrorHost(options);
    const o = await new VolumeAdmin(options, [db1, db2], { runner: host }).apply({ array: 'array1' }, false, ctx());
    expect(o.code).toBe('ok');
    expect(host.recorded[0]).toMatchObject({ file: 'sh', args: ['-s'], input: expect.stringContaining("add '/iscsi create iqn.2026-12.org.tandem:array1'") });
  });

  it("on a storage host: targetcli's `Parameter password is now '…'` lines are filtered from what is returned, and the password reaches the script only through its own env entry", async () => {
    const echo = "Parameter userid is now 'tandem'.\nParameter password is now 'chap-secret-123'.\nstorage host array1: exported";
    const runner = new DryRunCommandRunner({ responder: () => ({ kind: 'exited', exitCode: 0, stdout: echo, stderr: '', durationMs: 0 }) });
    const admin = new VolumeAdmin(chapOptions, [db1, db2], { runner, chapPassword: () => 'chap-secret-123' });
    const o = await admin.apply({ array: 'array1' }, false, ctx());
    expect(o).toMatchObject({ code: 'ok', data: "Parameter userid is now 'tandem'.\nstorage host array1: exported" });
    expect(runner.recorded[0]?.env).toEqual({ TANDEM_CHAP_PASSWORD: REDACTED });
    const failing = new DryRunCommandRunner({ responder: () => ({ kind: 'exited', exitCode: 1, stdout: '', stderr: "Parameter password is now 'chap-secret-123'.\nafter targetcli: lun/lun_0 is missing", durationMs: 0 }) });
    const refused = await new VolumeAdmin(chapOptions, [db1, db2], { runner: failing, chapPassword: () => 'chap-secret-123' }).apply({ array: 'array1' }, false, ctx());
    expect(refused.code).toBe('failed');
    expect(refused.reason).not.toContain('chap-secret-123');
    expect(refused.reason).toContain('lun/lun_0 is missing');
  });
});
