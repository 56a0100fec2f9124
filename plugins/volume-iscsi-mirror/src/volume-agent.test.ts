import { describe, expect, it } from 'vitest';
import { NODE_DIR, WRITE_PRIVATE } from './iscsi-node-record.js';
import { agentOn, ARRAY_UUID, ctx } from './testing/fixtures.js';
import type { VolumeAgent, VolumeResourceState } from './volume-agent.js';

/** A primary's path through the HA cycle: start (log in) then promote (assemble, mount). */
async function up(agent: VolumeAgent) {
  const started = await agent.start(ctx());
  return started.code === 'ok' ? agent.promote(ctx()) : started;
}

describe('VolumeAgent start (every node) and promote (the primary)', () => {
  it('start only logs in, through the storage NIC: a standby sees both LUNs and assembles nothing', async () => {
    const { agent, host } = agentOn();
    const o = await agent.start(ctx());
    expect(o).toMatchObject({ code: 'ok', reason: expect.stringContaining('logged in to 2 LUN(s), nothing assembled') });
    expect(host.lines().some((l) => l.startsWith('mdadm --assemble'))).toBe(false);
    expect(await agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
  });

  it('demote stops the array and keeps the sessions; stop logs out', async () => {
    const { agent, host } = agentOn();
    await up(agent);
    expect((await agent.demote(ctx())).code).toBe('ok');
    expect(host.lines().some((l) => l.startsWith('mdadm --stop'))).toBe(true);
    expect(host.lines().some((l) => l.includes('--logout'))).toBe(false);
    expect(await agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    expect((await agent.stop(ctx())).code).toBe('ok');
    expect(host.lines().some((l) => l.includes('--logout'))).toBe(true);
    expect((await agent.monitor(ctx())).code).toBe('not-running');
  });

  it('binds the iface to the storage NIC, logs in to both arrays through it, and assembles by UUID without --force', async () => {
    const { agent, host } = agentOn();
    const o = await up(agent);
    expect(o).toMatchObject({ code: 'ok', reason: expect.stringContaining('assembled /dev/md/tandem-data (both members present') });
    const lines = host.lines();
    expect(lines).toContain('iscsiadm -m iface -I tandem-storage -o update -n iface.net_ifacename -v eth1');
    expect(lines).toContain('iscsiadm -m iface -I tandem-storage -o update -n iface.initiatorname -v iqn.2026-12.org.tandem:db1');
    expect(lines).toContain('iscsiadm -m discovery -t sendtargets -p 198.51.100.21:3260 -I tandem-storage');
    expect(lines).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:array2 -p 198.51.100.22:3260 -I tandem-storage -o update -n node.session.timeo.replacement_timeout -v 15');
    expect(lines).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:array1 -p 198.51.100.21:3260 -I tandem-storage --login');
    expect(lines).toContain(`mdadm --assemble /dev/md/tandem-data --uuid=${ARRAY_UUID} --run /dev/sdb /dev/sdc`);
    expect(lines.filter((l) => l.startsWith('iscsiadm') && l.includes('--login')).every((l) => l.includes('-I tandem-storage'))).toBe(true);
    expect(lines.some((l) => /--force|--assume-clean|--create/.test(l))).toBe(false);
    expect(host.initiatorFile).toBe('InitiatorName=iqn.2026-12.org.tandem:db1\n');
    expect(host.recorded.every((s) => s.timeoutMs > 0 && s.signal !== undefined)).toBe(true);
  });

  it('a second promote changes nothing: no iface, login or assemble commands', async () => {
    const { agent, host } = agentOn();
    await up(agent);
    const before = host.recorded.length;
    expect((await agent.promote(ctx())).reason).toMatch(/^already running/);
    const again = host.lines().slice(before);
    expect(again.filter((l) => /--login|-o new|--assemble|-o update/.test(l))).toEqual([]);
  });

  it('mounts after assembling when mount is configured, and unmounts before stopping', async () => {
    const { agent, host } = agentOn(undefined, { mount: { path: '/srv/tandem', fsType: 'ext4' } });
    expect((await up(agent)).code).toBe('ok');
    expect(host.lines()).toContain('mount -t ext4 /dev/md/tandem-data /srv/tandem');
    expect(host.mounted).toBe(true);
    const before = host.recorded.length;
    expect((await agent.stop(ctx())).code).toBe('ok');
    const stopLines = host.lines().slice(before).filter((l) => /^(umount|mdadm --stop|iscsiadm .*--logout)/.test(l));
    expect(stopLines).toEqual([
      'umount /srv/tandem',
      'mdadm --stop /dev/md127',
      'iscsiadm -m node -T iqn.2026-12.org.tandem:array1 -p 198.51.100.21:3260 -I tandem-storage --logout',
      'iscsiadm -m node -T iqn.2026-12.org.tandem:array2 -p 198.51.100.22:3260 -I tandem-storage --logout',
    ]);
  });

  it('takeover with one array down: the survivor that recorded the other as failed starts degraded', async () => {
    const { agent, host } = agentOn((h) => {
      h.luns.get('array2')!.reachable = false;
      h.luns.get('array1')!.superblock = { uuid: ARRAY_UUID, events: 150, role: 0, arrayState: 'A.' };
    });
    const o = await up(agent);
    expect(o.code).toBe('ok');
    expect(o.reason).toContain('survivor');
    expect(o.reason).toContain('not logged in: array2');
    expect(host.lines()).toContain(`mdadm --assemble /dev/md/tandem-data --uuid=${ARRAY_UUID} --run /dev/sdb`);
  });

  it('no LUN logged in: the refusal names why each login failed (a CHAP refusal reads as one), not only that they are missing', async () => {
    const { agent } = agentOn((h) => {
      h.luns.get('array1')!.reachable = false;
      h.luns.get('array2')!.reachable = false;
    });
    const o = await agent.promote(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/no member of \/dev\/md\/tandem-data is usable: .*; not logged in: array1: .+; array2: .+/);
  });

  it('takeover with one array down whose superblock does not record the other as failed: refused, nothing assembled', async () => {
    const { agent, host } = agentOn((h) => (h.luns.get('array1')!.reachable = false));
    const o = await up(agent);
    expect(o.code).toBe('failed');
    expect(o.reason).toContain('allowDegradedTakeover');
    expect(host.md).toBeUndefined();
  });

  it('a LUN carrying another array never joins: config-error naming the device and both UUIDs', async () => {
    const { agent, host } = agentOn((h) => (h.luns.get('array2')!.superblock = { uuid: 'deadbeef:00000000:11111111:22222222', events: 9, role: 1, arrayState: 'AA' }));
    const o = await up(agent);
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/\/dev\/sdc \(array2\) belongs to md array deadbeef:00000000:11111111:22222222, not to the configured arrayUuid 3f6b1c2e/);
    expect(host.md).toBeUndefined();
  });

  it('config-error when the node has no storage NIC name to bind to', async () => {
    const { agent } = agentOn(undefined, {}, { name: 'db3', nics: { public: { name: 'eth0', address: '192.0.2.13', prefixLength: 24 }, storage: { name: '', address: '198.51.100.13', prefixLength: 24 } } });
    expect(await up(agent)).toMatchObject({ code: 'config-error', reason: expect.stringContaining('nodes.db3.nics.storage has no interface name') });
  });

  it('sets CHAP on the node records when configured: method and user with iscsiadm, the password in the record file', async () => {
    const { agent, host } = agentOn(undefined, { chap: { user: 'tandem', password: { env: 'X' } } });
    expect((await up(agent)).code).toBe('ok');
    expect(host.lines()).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:array1 -p 198.51.100.21:3260 -I tandem-storage -o update -n node.session.auth.authmethod -v CHAP');
    expect(host.lines()).toContain('iscsiadm -m node -T iqn.2026-12.org.tandem:array1 -p 198.51.100.21:3260 -I tandem-storage -o update -n node.session.auth.username -v tandem');
    const record = host.nodeFiles.get(`${NODE_DIR}/iqn.2026-12.org.tandem:array2/198.51.100.22,3260,1/tandem-storage`);
    expect(record).toContain('node.session.auth.password = s3cret-chap-pw\n');
    expect(record).toMatch(/node\.session\.auth\.authmethod = CHAP\n[\s\S]*# END RECORD\n$/);
    // Written again only when it differs: a second start changes no record.
    const before = host.recorded.length;
    await agent.stop(ctx());
    await agent.start(ctx());
    expect(host.lines().slice(before).filter((l) => l.startsWith('sh ') || l.startsWith('mv'))).toEqual([]);
  });
});

describe('issue 14, row: a failing `iscsiadm … node.session.auth.password -v …`', () => {
  it('the CHAP password is on no argv (ps), and a failing CHAP step names the record, never the password', async () => {
    const { agent, host } = agentOn((h) => (h.refuseRecordWrite = true), { chap: { user: 'tandem', password: { env: 'X' } } });
    const o = await up(agent);
    expect(o.code).toBe('failed');
    expect(o.reason).toContain(`${NODE_DIR}/iqn.2026-12.org.tandem:array1/198.51.100.21,3260,1/tandem-storage`);
    expect(o.reason).not.toContain('s3cret-chap-pw');
    expect(host.recorded.flatMap((s) => s.args.map(String)).join(' ')).not.toContain('s3cret-chap-pw');
    expect(host.lines().some((l) => l.includes('node.session.auth.password'))).toBe(false);
    // It reached the record on stdin, marked sensitive, so a dry-run or a message shows ***; argv is the
    // fixed script and the temporary file next to the record, nothing from the environment.
    const written = host.recorded.find((s) => s.file === 'sh');
    expect(String(written?.input)).toBe('***');
    expect(written?.args).toEqual(['-c', WRITE_PRIVATE, 'tandem-write-private', `${NODE_DIR}/iqn.2026-12.org.tandem:array1/198.51.100.21,3260,1/tandem-storage.tandem-new`]);
    expect(written?.env).toBeUndefined();
  });
});

describe('VolumeAgent monitor', () => {
  it('not-running before start, ok with role primary when clean, failed when it vanished after start', async () => {
    const { agent, host } = agentOn();
    expect((await agent.monitor(ctx())).code).toBe('not-running');
    await up(agent);
    const o = await agent.monitor(ctx());
    expect(o).toMatchObject({ code: 'ok', data: { role: 'primary' } });
    expect(o.data?.degraded).toBeUndefined();
    host.md = undefined;
    expect(await agent.monitor(ctx())).toMatchObject({ code: 'failed', reason: expect.stringContaining('not assembled although it was promoted here') });
  });

  it('a degraded array keeps serving: ok, with degraded in the reason and the data', async () => {
    const { agent, host } = agentOn();
    await up(agent);
    host.md!.members.set('sdc', 'faulty');
    host.sessions.set('array2', 'FREE');
    const o = await agent.monitor(ctx());
    expect(o.code).toBe('ok');
    expect(o.reason).toContain('degraded: array2 missing');
    const data = o.data as VolumeResourceState;
    expect(data.degraded).toBe('degraded: array2 missing');
    expect(data.volume.state).toBe('degraded');
    expect(host.lines().some((l) => l.includes('--re-add'))).toBe(false);
  });

  it('when the array comes back, monitor removes the faulty member and re-adds it (the running copy wins)', async () => {
    const { agent, host } = agentOn();
    await up(agent);
    host.md!.members.set('sdc', 'faulty');
    const o = await agent.monitor(ctx());
    expect(o.code).toBe('ok');
    expect(o.reason).toContain('array2 re-added (/dev/sdc)');
    const lines = host.lines();
    expect(lines.indexOf('mdadm /dev/md/tandem-data --remove /dev/sdc')).toBeLessThan(lines.indexOf('mdadm /dev/md/tandem-data --re-add /dev/sdc'));
    expect(lines.some((l) => l.includes('--add /dev/sdc') && !l.includes('--re-add'))).toBe(false);
    const next = await agent.monitor(ctx());
    expect((next.data as VolumeResourceState).volume).toMatchObject({ state: 'recovering', progress: { percent: 12.6 } });
  });

  it('falls back to --add only when --re-add is refused', async () => {
    const { agent, host } = agentOn((h) => (h.refuseReAdd = true));
    await up(agent);
    host.md!.members.delete('sdc');
    const o = await agent.monitor(ctx());
    expect(o.reason).toContain('array2 added (/dev/sdc)');
    expect(host.lines()).toContain('mdadm /dev/md/tandem-data --add /dev/sdc');
  });

  it('a returning LUN that carries another array is not added', async () => {
    const { agent, host } = agentOn();
    await up(agent);
    host.md!.members.delete('sdc');
    host.luns.get('array2')!.superblock = { uuid: 'deadbeef:00000000:11111111:22222222', events: 1, role: 1, arrayState: 'AA' };
    const o = await agent.monitor(ctx());
    expect(o.code).toBe('ok');
    expect(o.reason).toContain('belongs to md array deadbeef');
    expect(host.lines().some((l) => /--re-add|--add/.test(l))).toBe(false);
  });

  it('failed when mount is configured but the volume is not mounted', async () => {
    const { agent, host } = agentOn(undefined, { mount: { path: '/srv/tandem' } });
    await up(agent);
    host.mounted = false;
    expect(await agent.monitor(ctx())).toMatchObject({ code: 'failed', reason: expect.stringContaining('not mounted') });
  });
});
