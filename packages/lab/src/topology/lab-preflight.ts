import { execFileSync } from 'node:child_process';
import { DEBIAN_PACKAGES } from '@tandem/core';

export interface PreflightNeeds {
  readonly power: boolean;
  readonly redis: boolean;
  readonly postgres: boolean;
}

function onPath(file: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const EXTRA_PACKAGES: Readonly<Record<string, string>> = { setpriv: 'util-linux', setsid: 'util-linux', ping: 'iputils-ping' };

/**
 * Everything missing, in one message with the one command that fixes it:
 * an operator should not discover the packages one failed run at a time.
 */
export interface PreflightHost {
  readonly uid: number | undefined;
  readonly onPath: (file: string) => boolean;
}

const THIS_HOST: PreflightHost = { uid: process.getuid?.(), onPath };

export function labPreflight(needs: PreflightNeeds, postgresFound: () => boolean = () => true, host: PreflightHost = THIS_HOST): void {
  const problems: string[] = [];
  if (host.uid !== 0) problems.push('not root: network namespaces, veths and nftables need root (run the lab as root, e.g. with sudo)');
  const commands = ['ip', 'nft', 'setsid', 'setpriv'];
  if (needs.power) commands.push('ipmi_sim', 'ipmitool');
  if (needs.redis) commands.push('redis-server');
  const missing = commands.filter((c) => !host.onPath(c));
  const packages = new Set(missing.map((c) => DEBIAN_PACKAGES[c] ?? EXTRA_PACKAGES[c] ?? c));
  if (needs.postgres && !postgresFound()) {
    missing.push('postgres (/usr/lib/postgresql/<version>/bin)');
    packages.add('postgresql');
  }
  if (missing.length > 0) problems.push(`missing programs: ${missing.join(', ')}; install them with: apt-get install -y ${[...packages].join(' ')}`);
  if (problems.length > 0) throw new Error(`the lab cannot start:\n  - ${problems.join('\n  - ')}`);
}
