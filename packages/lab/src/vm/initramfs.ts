import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { run } from '../topology/ip-command.js';
import type { GuestKernel } from './guest-kernel.js';

/** Only what mounting the host's root needs; everything else loads after switch_root, from the host's copy of the modules. */
const EARLY_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/**
 * The initramfs's /init (busybox sh): mount the host's root read-only over
 * 9p, put a tmpfs overlay on it so the guest can write, and hand over to
 * busybox init with an inittab that runs the guest's own scripts from
 * `tandem.dir` (kernel command line).
 */
const INIT = `#!/bin/busybox sh
bb=/bin/busybox
fail() { echo "tandem initramfs: $*"; $bb sleep 1; $bb poweroff -f; }
$bb mkdir -p /proc /dev /lower /upper /newroot
$bb mount -t proc proc /proc
$bb mount -t devtmpfs dev /dev
for m in $($bb cat /modules.list); do $bb insmod /modules/$m.ko || fail "insmod $m"; done
dir=$($bb sed -n 's/.*tandem\\.dir=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
[ -n "$dir" ] || fail "no tandem.dir= on the kernel command line"
$bb mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288 hostroot /lower || fail "cannot mount the host root over 9p"
$bb mount -t tmpfs -o mode=0755 upper /upper
$bb mkdir -p /upper/data /upper/work
$bb mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot || fail "cannot mount the overlay"
$bb mkdir -p /newroot/etc
printf '::sysinit:/bin/sh %s/boot.sh\\n::respawn:/bin/sh %s/control.sh\\n' "$dir" "$dir" > /newroot/etc/inittab
$bb umount /proc
$bb mount --move /dev /newroot/dev
exec $bb switch_root /newroot /bin/busybox init
`;

/** Build (once per kernel) the initramfs: busybox, the early modules in load order, and /init. */
export async function ensureInitramfs(kernel: GuestKernel, cacheDir: string): Promise<string> {
  const image = join(cacheDir, `initramfs-${kernel.version}.cpio`);
  if (existsSync(image)) return image;
  if (!existsSync('/bin/busybox')) throw new Error('vm lab: /bin/busybox is missing: apt-get install busybox-static');
  const stage = join(cacheDir, `initramfs-${kernel.version}.d`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(join(stage, 'bin'), { recursive: true });
  await mkdir(join(stage, 'modules'));
  await copyFile('/bin/busybox', join(stage, 'bin/busybox'));
  const names: string[] = [];
  for (const module of EARLY_MODULES) {
    // modprobe prints the insmod lines in dependency order; the initramfs replays them.
    const deps = await run('modprobe', ['-d', kernel.root, '-S', kernel.version, '--show-depends', module]);
    for (const line of deps.stdout.split('\n')) {
      const path = /^insmod (\S+)/.exec(line)?.[1];
      const name = path ? basename(path, '.ko') : undefined;
      if (!path || !name || names.includes(name)) continue;
      names.push(name);
      await copyFile(path, join(stage, 'modules', `${name}.ko`));
    }
  }
  await writeFile(join(stage, 'modules.list'), `${names.join('\n')}\n`);
  await writeFile(join(stage, 'init'), INIT);
  await chmod(join(stage, 'init'), 0o755);
  const list = await run('find', ['.'], { cwd: stage });
  await run('cpio', ['-o', '-H', 'newc', '--quiet', '-O', `${image}.tmp`], { cwd: stage, input: list.stdout });
  await run('mv', [`${image}.tmp`, image]);
  await rm(stage, { recursive: true, force: true });
  return image;
}
