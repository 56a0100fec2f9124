import { execFileSync } from 'node:child_process';

/** uid and gid of a local OS user (the lab runs PostgreSQL as `postgres`). */
export function userIds(user: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`lab: there is no OS user "${user}"; install the package that creates it (for postgres: apt-get install -y postgresql)`);
  }
}
