import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian installs each PostgreSQL major: /usr/lib/postgresql/<major>/bin. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/** The highest version among directory names like `13`, `15`, `9.6`; other names are ignored. */
export function pickHighestMajor(names: readonly string[]): string | undefined {
  const weight = (name: string): number => {
    const [major = '0', minor = '0'] = name.split('.');
    return Number(major) * 1000 + Number(minor);
  };
  return names.filter((n) => /^\d+(\.\d+)?$/.test(n)).sort((a, b) => weight(b) - weight(a))[0];
}

/**
 * The bin directory of the newest installed server major, or undefined when
 * none has pg_ctl. `pg_config --bindir` is not used: on Debian it comes with
 * libpq-dev and may name another major than the installed server.
 */
export function findPostgresBinDir(root: string = DEBIAN_POSTGRES_ROOT): string | undefined {
  const names = existsSync(root) ? readdirSync(root) : [];
  const major = pickHighestMajor(names);
  if (major === undefined) return undefined;
  const bin = join(root, major, 'bin');
  return existsSync(join(bin, 'pg_ctl')) ? bin : undefined;
}
