import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian puts every installed PostgreSQL major: /usr/lib/postgresql/<major>/bin. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

const INSTALL_HINT = 'apt-get install -y postgresql';

/**
 * The highest major version among directory names like `13`, `15`, `9.6`
 * (older majors had a dot). Non-numeric names are ignored.
 */
export function pickHighestPostgresVersion(names: readonly string[]): string | undefined {
  const versions = names.filter((name) => /^\d+(\.\d+)?$/.test(name));
  const weight = (name: string): number => {
    const [major = '0', minor = '0'] = name.split('.');
    return Number(major) * 1000 + Number(minor);
  };
  return versions.sort((a, b) => weight(b) - weight(a))[0];
}

/**
 * The bin directory of the newest installed PostgreSQL (initdb, postgres, pg_ctl ...).
 * `pg_config --bindir` is not used: on Debian it belongs to libpq-dev and
 * may name a different major than the installed server. Throws, saying what
 * to install, when no server is installed.
 */
export function postgresBinDir(root: string = DEBIAN_POSTGRES_ROOT): string {
  const names = existsSync(root) ? readdirSync(root) : [];
  const version = pickHighestPostgresVersion(names);
  const bin = version === undefined ? undefined : join(root, version, 'bin');
  if (bin === undefined || !existsSync(join(bin, 'postgres')) || !existsSync(join(bin, 'initdb'))) {
    throw new Error(`PostgreSQL server binaries were not found under ${root}/<version>/bin; install them with: ${INSTALL_HINT}`);
  }
  return bin;
}
