import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listNamespaces } from '../topology/namespace-cleanup.js';
import { VmLab } from './vm-lab.js';

/**
 * The VM lab itself, for real: two guests on Debian's kernel under TCG with
 * four NICs each, one disk both see, and a BMC each. Fails (never skips) when it cannot
 * run here, with the message of the lab's preflight.
 */
describe('VM lab (qemu TCG guests)', () => {
  let lab: VmLab;

  /** ipmitool run in g2 over its public NIC, the path fence-ipmi takes (cipher suite 3: ipmi_sim answers no suite query). */
  const ipmiFromG2 = (target: string, ...command: string[]) => {
    const bmc = lab.bmcAccess(target);
    return lab.guest('g2').exec(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-P', bmc.password, ...command], { allowFailure: true, timeoutMs: 30_000 });
  };
  const powerStatus = async (target: string) => (await ipmiFromG2(target, 'chassis', 'power', 'status')).stdout.trim();

  beforeAll(async () => {
    lab = await VmLab.up({
      guests: [{ name: 'g1', sharedDisks: ['dual'] }, { name: 'g2', sharedDisks: ['dual'] }],
      sharedDisks: [{ id: 'dual', sizeMiB: 16 }],
      bmcs: { g1: '192.0.2.201', g2: '192.0.2.202' },
    });
  }, 400_000);

  afterAll(async () => {
    if (!lab) return;
    const namespaces = [...(await listNamespaces())].filter((n) => n.includes(lab.id));
    await lab.down();
    expect(namespaces.length).toBeGreaterThan(0);
    expect((await listNamespaces()).filter((n) => n.includes(lab.id))).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
  }, 60_000);

  it("boots Debian's kernel with the storage modules the plugins need", async () => {
    const g1 = lab.guest('g1');
    expect((await g1.exec(['uname', '-r'])).stdout).toMatch(/-amd64/);
    const modules = (await g1.exec(['cat', '/proc/modules'])).stdout;
    for (const m of ['target_core_mod', 'iscsi_target_mod', 'iscsi_tcp', 'raid1', 'sch_netem']) expect(modules).toContain(m);
    expect((await g1.exec(['cat', '/proc/filesystems'])).stdout).toContain('configfs');
  });

  it('names the four NICs as a four-port server does and reaches the peer on each network', async () => {
    const [g1, g2] = [lab.guest('g1'), lab.guest('g2')];
    const addrs = (await g1.exec(['ip', '-br', '-4', 'addr'])).stdout;
    for (const [nic, addr] of [['eth0', g1.address('public')], ['eth1', g1.address('storage')], ['eth2', g1.address('privateA')], ['eth3', g1.address('privateB')]]) {
      expect(addrs).toMatch(new RegExp(`^${nic}\\s+UP\\s+${addr!.replaceAll('.', '\\.')}/`, 'm'));
    }
    for (const role of ['public', 'storage', 'privateA', 'privateB'] as const) {
      await g1.exec(['ping', '-c1', '-W5', g2.address(role)]);
    }
    // The gateway is a namespace host on the public bridge.
    await g2.exec(['ping', '-c1', '-W5', lab.spec.gateway]);
  });

  it('cuts one cable and puts it back', async () => {
    const [g1, g2] = [lab.guest('g1'), lab.guest('g2')];
    await g2.cutLink('privateA');
    const cut = await g1.exec(['ping', '-c2', '-W2', g2.address('privateA')], { allowFailure: true });
    expect(cut.exitCode).not.toBe(0);
    await g1.exec(['ping', '-c1', '-W5', g2.address('privateB')]);
    await g2.restoreLink('privateA');
    await g1.exec(['sh', '-c', `for i in 1 2 3 4 5; do ping -c1 -W2 ${g2.address('privateA')} && exit 0; done; exit 1`]);
  });

  it('delays a link with netem in the guest', async () => {
    const [g1, g2] = [lab.guest('g1'), lab.guest('g2')];
    await g1.netem('privateB', ['delay', '300ms']);
    const slow = (await g1.exec(['ping', '-c2', '-W5', g2.address('privateB')])).stdout;
    const rtt = Number(/= [\d.]+\/([\d.]+)\//.exec(slow)?.[1]);
    expect(rtt).toBeGreaterThanOrEqual(300);
    await g1.netem('privateB', []);
  });

  it('shares one disk between two guests (dual port), and data outlives a power cut', async () => {
    const [g1, g2] = [lab.guest('g1'), lab.guest('g2')];
    const d1 = await g1.diskDevice('dual');
    const stamp = `tandem-${Date.now()}`;
    await g1.sh(`printf '%-512s' ${stamp} | dd of=${d1} bs=512 count=1 oflag=direct,sync 2>/dev/null`);
    const d2 = await g2.diskDevice('dual');
    expect((await g2.sh(`dd if=${d2} bs=512 count=1 iflag=direct 2>/dev/null`)).stdout).toContain(stamp);

    await g1.powerOff();
    expect(g1.running).toBe(false);
    await expect(g1.exec(['true'])).rejects.toThrow(/powered off/);
    await g2.exec(['true']);
    // The BMC reads power from qemu itself, so a cut the lab made reads "off" too.
    expect(await powerStatus('g1')).toBe('Chassis Power is off');
    await g1.powerOn();
    expect((await g1.sh(`dd if=${await g1.diskDevice('dual')} bs=512 count=1 iflag=direct 2>/dev/null`)).stdout).toContain(stamp);
  }, 300_000);

  it("fences a guest through its BMC from the peer: IPMI power off kills qemu, power on is the lab's", async () => {
    const [g1, g2] = [lab.guest('g1'), lab.guest('g2')];
    expect(await powerStatus('g1')).toBe('Chassis Power is on');
    const off = await ipmiFromG2('g1', 'chassis', 'power', 'off');
    expect(off.exitCode, off.stderr).toBe(0);
    // The hook returns once qemu is gone; node reaps it on its next turn of the event loop.
    for (let i = 0; i < 50 && g1.running; i++) await new Promise((r) => setTimeout(r, 100));
    expect(g1.running).toBe(false);
    await expect(g1.exec(['true'])).rejects.toThrow(/powered off/);
    expect(await powerStatus('g1')).toBe('Chassis Power is off');

    const on = await ipmiFromG2('g1', 'chassis', 'power', 'on');
    const hookLog = await readFile(join(lab.dir, '_bmc', 'g1', 'hook.log'), 'utf8');
    expect(hookLog).toMatch(/power off \(SIGKILL to qemu \d+ of g1/);
    expect(hookLog).toMatch(/power on REFUSED.*lab\.guest\('g1'\)\.powerOn\(\)/);
    // ipmi_sim turns the hook's refusal into a failed command ("Set Chassis Power Control to Up/On failed").
    expect(on.exitCode).not.toBe(0);
    expect(await powerStatus('g1')).toBe('Chassis Power is off');

    await g1.powerOn();
    expect(await powerStatus('g1')).toBe('Chassis Power is on');
    await g1.exec(['ping', '-c1', '-W5', g2.address('public')]);
    // g2's own BMC was never touched.
    expect(await powerStatus('g2')).toBe('Chassis Power is on');
  }, 300_000);
});
