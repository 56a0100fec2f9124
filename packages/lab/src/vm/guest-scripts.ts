import { NIC_NAMES, type NicRole } from '../topology/lab-spec.js';
import { PREFIX_LENGTH } from './vm-spec.js';

/** Modules the storage plugins and the lab's faults need, loaded after switch_root from the unpacked kernel. */
export const GUEST_MODULES = [
  'virtio_console', 'virtio_net', 'virtio_blk', 'configfs', 'target_core_mod', 'target_core_iblock', 'target_core_file',
  'iscsi_target_mod', 'iscsi_tcp', 'sd_mod', 'sg', 'md_mod', 'raid1', 'sch_netem', 'ext4', 'softdog',
];

export interface GuestNic {
  readonly role: NicRole;
  readonly address: string;
  readonly mac: string;
}

export interface GuestBoot {
  readonly name: string;
  /** The guest's directory on the host; the same path inside the guest (9p, read-write). */
  readonly dir: string;
  readonly kernelVersion: string;
  readonly modulesDir: string;
  readonly nics: readonly GuestNic[];
  readonly gateway?: string;
}

/**
 * boot.sh, run once by busybox init: the kernel filesystems, the guest's
 * directory, the modules, and NICs renamed by MAC to the names a four-port
 * Debian server shows (eth0 public ... eth3 privateB), with their addresses.
 */
export function renderBootScript(b: GuestBoot): string {
  const nicLines = b.nics.flatMap((n) => {
    const name = NIC_NAMES[n.role];
    return [
      `dev=$(grep -il '${n.mac}' /sys/class/net/*/address | cut -d/ -f5)`,
      `[ -n "$dev" ] || echo "boot: no NIC with MAC ${n.mac} (${n.role})"`,
      `[ "$dev" = ${name} ] || ip link set "$dev" name ${name}`,
      `ip addr add ${n.address}/${PREFIX_LENGTH[n.role]} dev ${name}`,
      `ip link set ${name} up`,
    ];
  });
  const hasPublic = b.nics.some((n) => n.role === 'public');
  return [
    '#!/bin/sh',
    `# VM lab guest ${b.name}: written by the lab, run once by busybox init.`,
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'mount -t proc proc /proc',
    'mount -t sysfs sys /sys',
    'mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs shm /dev/shm',
    'mount -t tmpfs -o mode=0755 run /run && mkdir -p /run/lock',
    `mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 labdir ${b.dir}`,
    // The host's /usr/lib/modules has the host kernel's modules, not these.
    `mkdir -p /usr/lib/modules && ln -sfn ${b.modulesDir} /usr/lib/modules/${b.kernelVersion}`,
    `for m in ${GUEST_MODULES.join(' ')}; do modprobe $m || echo "boot: modprobe $m failed"; done`,
    'mount -t configfs configfs /sys/kernel/config',
    `hostname ${b.name} && echo ${b.name} > /etc/hostname`,
    `printf '127.0.0.1 localhost\\n127.0.1.1 ${b.name}\\n' > /etc/hosts`,
    'ip link set lo up',
    ...nicLines,
    ...(hasPublic && b.gateway ? [`ip route add default via ${b.gateway}`] : []),
    // State the host installed packages left behind describes the host, not this guest.
    'rm -f /etc/iscsi/initiatorname.iscsi /etc/mdadm/mdadm.conf; rm -rf /etc/iscsi/nodes /etc/iscsi/send_targets /etc/target/saveconfig.json',
    // targetcli asks the system bus for tcmu-runner's handlers and fails without one; real servers run dbus.
    'mkdir -p /run/dbus && dbus-daemon --system --fork || echo "boot: dbus-daemon failed"',
    `echo booted > ${b.dir}/booted`,
    '',
  ].join('\n');
}

/** control.sh, respawned by busybox init: the command server on the virtio-serial port. */
export function renderControlScript(nodePath: string, controlJs: string, dir: string): string {
  return [
    '#!/bin/sh',
    '# Respawned by busybox init; the pause keeps a crash loop from eating the guest.',
    'sleep 1',
    'export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `exec ${nodePath} ${controlJs} 2>>${dir}/control.log`,
    '',
  ].join('\n');
}
