import { describe, expect, it } from 'vitest';
import { renderBootScript } from './guest-scripts.js';
import { qemuArgv } from './qemu-argv.js';
import { guestNics, parseVmLabSpec } from './vm-spec.js';

describe('VM lab spec', () => {
  it('fills in the four NICs from the namespace lab plan', () => {
    const spec = parseVmLabSpec({ guests: [{ name: 's1' }, { name: 's2', nics: { storage: '198.51.100.30' } }] });
    expect(guestNics(spec.guests[0]!, 0)).toEqual([
      { role: 'public', address: '192.0.2.11' },
      { role: 'storage', address: '198.51.100.11' },
      { role: 'privateA', address: '198.51.100.139' },
      { role: 'privateB', address: '203.0.113.11' },
    ]);
    // A guest that names its NICs gets only those: a storage host has no private links.
    expect(guestNics(spec.guests[1]!, 1)).toEqual([{ role: 'storage', address: '198.51.100.30' }]);
  });

  it('refuses addresses outside the documentation ranges and unknown shared disks, naming the path', () => {
    expect(() => parseVmLabSpec({ guests: [{ name: 's1', nics: { public: '10.0.0.1' } }] })).toThrow(/vmlab\.guests\.0\.nics\.public: VM lab addresses must come from the documentation ranges/);
    expect(() => parseVmLabSpec({ guests: [{ name: 's1', sharedDisks: ['x'] }] })).toThrow(/vmlab\.guests\.s1\.sharedDisks names x/);
  });

  it('takes BMCs on the public network, refusing other networks, unknown guests and taken addresses', () => {
    const guests = [{ name: 's1' }, { name: 's2' }];
    expect(parseVmLabSpec({ guests, bmcs: { s1: '192.0.2.201', s2: '192.0.2.202' } }).bmcs).toEqual({ s1: '192.0.2.201', s2: '192.0.2.202' });
    expect(() => parseVmLabSpec({ guests, bmcs: { s1: '203.0.113.201' } })).toThrow(/vmlab\.bmcs\.s1 is 203\.0\.113\.201; a BMC sits on the public network/);
    expect(() => parseVmLabSpec({ guests, bmcs: { s3: '192.0.2.203' } })).toThrow(/vmlab\.bmcs\.s3 names no guest \(guests: s1, s2\)/);
    // s2's default public address is .12; the gateway is .1; two BMCs cannot share one.
    expect(() => parseVmLabSpec({ guests, bmcs: { s1: '192.0.2.12' } })).toThrow(/vmlab\.bmcs\.s1 is 192\.0\.2\.12, which vmlab\.guests\.s2\.nics\.public already uses/);
    expect(() => parseVmLabSpec({ guests, bmcs: { s1: '192.0.2.1' } })).toThrow(/which vmlab\.gateway already uses/);
    expect(() => parseVmLabSpec({ guests, bmcs: { s1: '192.0.2.201', s2: '192.0.2.201' } })).toThrow(/vmlab\.bmcs\.s2 is 192\.0\.2\.201, which vmlab\.bmcs\.s1 already uses/);
    expect(() => parseVmLabSpec({ guests, bmcs: { s1: '10.1.1.1' } })).toThrow(/vmlab\.bmcs\.s1: VM lab addresses must come from the documentation ranges/);
  });
});

describe('qemu argv', () => {
  const argv = qemuArgv({
    name: 's1', dir: '/tmp/v/s1', memoryMiB: 512, vmlinuz: '/k/vmlinuz', initramfs: '/k/initrd',
    nics: [{ tap: 'vab0n0', mac: '52:54:00:00:00:01' }],
    disks: [{ id: 'arr', path: '/tmp/v/disks/s1-arr.img', shared: false }, { id: 'dual', path: '/tmp/v/disks/dual.img', shared: true }],
  });
  const joined = argv.join(' ');

  it('uses TCG, no default devices, and the host root read-only', () => {
    expect(joined).toContain('-accel tcg');
    expect(argv).toContain('-nodefaults');
    expect(joined).toMatch(/local,path=\/,mount_tag=hostroot,security_model=none,readonly=on/);
  });

  it('opens pre-made taps and marks only shared disks share-rw', () => {
    expect(joined).toContain('tap,id=n0,ifname=vab0n0,script=no,downscript=no');
    expect(joined).toContain('virtio-blk-pci,drive=d0,serial=arr -drive');
    expect(joined).toContain('virtio-blk-pci,drive=d1,serial=dual,share-rw=on');
  });
});

describe('guest boot script', () => {
  it('renames NICs by MAC and addresses them with the plan prefix', () => {
    const s = renderBootScript({ name: 's1', dir: '/tmp/v/s1', kernelVersion: '6.1.0-57-amd64', modulesDir: '/c/kernel/lib/modules/6.1.0-57-amd64', nics: [{ role: 'privateA', address: '198.51.100.139', mac: '52:54:00:00:02:aa' }], gateway: '192.0.2.1' });
    expect(s).toContain("grep -il '52:54:00:00:02:aa'");
    expect(s).toContain('ip link set "$dev" name eth2');
    expect(s).toContain('ip addr add 198.51.100.139/25 dev eth2');
    // No public NIC: no default route through a gateway it cannot reach.
    expect(s).not.toContain('ip route add default');
  });
});
