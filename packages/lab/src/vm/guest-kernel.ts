import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../topology/ip-command.js';

/** Where the guest kernel and initramfs are kept between runs (the Debian package is 70 MB). */
export const VM_CACHE_DIR = process.env.TANDEM_VMLAB_CACHE ?? '/var/cache/tandem-vmlab';

export interface GuestKernel {
  readonly version: string;
  readonly vmlinuz: string;
  /** Root of the unpacked package: modules are under lib/modules/<version>, with depmod's index. */
  readonly root: string;
}

function findUnpacked(dir: string): GuestKernel | undefined {
  const boot = join(dir, 'boot');
  if (!existsSync(boot)) return undefined;
  const image = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  if (!image) return undefined;
  const version = image.slice('vmlinuz-'.length);
  if (!existsSync(join(dir, 'lib/modules', version, 'modules.dep'))) return undefined;
  return { version, vmlinuz: join(boot, image), root: dir };
}

/**
 * Debian's own kernel for the guests: the host's kernel has no LIO, iSCSI
 * initiator or md, Debian's has all of them as modules. The package is
 * unpacked, never installed, so the host's /boot is left alone.
 */
export async function ensureGuestKernel(cacheDir = VM_CACHE_DIR): Promise<GuestKernel> {
  const unpacked = join(cacheDir, 'kernel');
  const found = findUnpacked(unpacked);
  if (found) return found;
  await mkdir(cacheDir, { recursive: true });
  const depends = await run('apt-cache', ['depends', 'linux-image-amd64'], { allowFailure: true });
  const pkg = /Depends: (linux-image-[0-9][^\s]*-amd64)/.exec(depends.stdout)?.[1];
  if (!pkg) throw new Error(`vm lab: cannot find Debian's kernel package (apt-cache depends linux-image-amd64: ${depends.stderr.trim() || 'no linux-image dependency'}); run apt-get update`);
  const download = await run('apt-get', ['download', pkg], { allowFailure: true, timeoutMs: 300_000, cwd: cacheDir });
  const deb = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`vm lab: apt-get download ${pkg} failed: ${download.stderr.trim()}`);
  await rm(unpacked, { recursive: true, force: true });
  await run('dpkg-deb', ['-x', join(cacheDir, deb), unpacked], { timeoutMs: 120_000 });
  const kernel = findUnpacked(join(unpacked)) ?? (await depmod(unpacked));
  await rm(join(cacheDir, deb), { force: true });
  return kernel;
}

async function depmod(root: string): Promise<GuestKernel> {
  const version = readdirSync(join(root, 'lib/modules'))[0];
  if (!version) throw new Error(`vm lab: the kernel package unpacked into ${root} has no lib/modules`);
  await run('depmod', ['-b', root, version], { timeoutMs: 120_000 });
  const kernel = findUnpacked(root);
  if (!kernel) throw new Error(`vm lab: no vmlinuz or modules.dep under ${root} after unpacking`);
  return kernel;
}
