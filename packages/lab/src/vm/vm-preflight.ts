import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS: readonly { readonly file: string; readonly pkg: string }[] = [
  { file: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { file: 'cpio', pkg: 'cpio' },
  { file: 'modprobe', pkg: 'kmod' },
  { file: 'ip', pkg: 'iproute2' },
  { file: 'dpkg-deb', pkg: 'dpkg' },
];
/** Only for a lab with BMCs: the simulator, and ipmitool to see it answer (guests run the host's own ipmitool). */
const BMC_NEEDS: readonly { readonly file: string; readonly pkg: string }[] = [
  { file: 'ipmi_sim', pkg: 'openipmi' },
  { file: 'ipmitool', pkg: 'ipmitool' },
];

function onPath(file: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Everything the VM lab lacks, in one message with the fix. The lab never
 * skips quietly: a test that needs it fails with this text.
 */
export function vmLabPreflight(options: { readonly bmcs?: boolean } = {}): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('not root: taps, bridges and namespaces need root');
  if (!existsSync('/dev/net/tun')) problems.push('/dev/net/tun is missing: the guests\' NICs are taps');
  const missing = [...NEEDS, ...(options.bmcs ? BMC_NEEDS : [])].filter((n) => !onPath(n.file));
  if (!existsSync('/bin/busybox')) missing.push({ file: '/bin/busybox', pkg: 'busybox-static' });
  if (missing.length > 0) problems.push(`missing ${missing.map((m) => m.file).join(', ')}: apt-get install ${[...new Set(missing.map((m) => m.pkg))].join(' ')} (or run test/setup/install-system-deps.sh)`);
  if (problems.length > 0) throw new Error(`vm lab cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
