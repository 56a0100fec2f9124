export interface QemuGuest {
  readonly name: string;
  readonly dir: string;
  readonly memoryMiB: number;
  readonly vmlinuz: string;
  readonly initramfs: string;
  readonly nics: readonly { readonly tap: string; readonly mac: string }[];
  /** Raw images; `shared` ones are opened by two guests at once (dual port). */
  readonly disks: readonly { readonly id: string; readonly path: string; readonly shared: boolean }[];
}

/** Socket and log paths inside a guest's directory. */
export const guestPaths = (dir: string) => ({
  control: `${dir}/control.sock`,
  monitor: `${dir}/monitor.sock`,
  console: `${dir}/console.log`,
  pid: `${dir}/qemu.pid`,
});

/**
 * qemu's argv for one guest: TCG (KVM does not work on this machine kind),
 * the host's root read-only over 9p, the guest's directory read-write,
 * taps made beforehand (so a power cycle reopens the same switch port),
 * disks on virtio-blk with their id as serial, and the control port.
 */
export function qemuArgv(g: QemuGuest): string[] {
  const p = guestPaths(g.dir);
  const nics = g.nics.flatMap((n, i) => ['-netdev', `tap,id=n${i},ifname=${n.tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n${i},mac=${n.mac}`]);
  const disks = g.disks.flatMap((d, i) => [
    '-drive', `file=${d.path},format=raw,if=none,id=d${i},cache=none${d.shared ? ',file.locking=off' : ''}`,
    '-device', `virtio-blk-pci,drive=d${i},serial=${d.id}${d.shared ? ',share-rw=on' : ''}`,
  ]);
  return [
    '-name', g.name,
    '-accel', 'tcg',
    '-m', String(g.memoryMiB),
    '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', g.vmlinuz,
    '-initrd', g.initramfs,
    '-append', `console=ttyS0 quiet panic=-1 tandem.dir=${g.dir}`,
    '-serial', `file:${p.console}`,
    '-monitor', `unix:${p.monitor},server=on,wait=off`,
    '-pidfile', p.pid,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${g.dir},mount_tag=labdir,security_model=none,multidevs=remap`,
    '-device', 'virtio-serial-pci',
    '-chardev', `socket,id=ctl,path=${p.control},server=on,wait=off`,
    '-device', 'virtserialport,chardev=ctl,name=tandem.control',
    ...nics,
    ...disks,
  ];
}
