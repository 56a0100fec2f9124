import { readMirrorEnd } from './mirror-end.js';
import type { Deadline } from '@tandem/plugin-resource-postgres';
import type { LocalServer, WalTools } from './wal-tools.js';

export type StaleCheck = { readonly stale: false; readonly why: string } | { readonly stale: true; readonly why: string; readonly previousDir: string };

/** Where a set-aside mirror goes: one generation is kept, for an operator's post-mortem. */
export const previousDirOf = (mirrorDir: string): string => `${mirrorDir.replace(/\/+$/, '')}.previous`;

/**
 * A mirror is stale when the local standby has already replayed past its
 * end: it holds nothing the database lacks, and it may belong to an older
 * timeline (the mirror of a primary that has since failed). pg_receivewal
 * resumes from the newest file in its directory, so streaming into such a
 * mirror from a new primary would ask for WAL the new primary never had.
 * A mirror ahead of replay is never stale: it is what compensation needs.
 */
export async function checkStale(mirrorDir: string, tools: WalTools, server: LocalServer, d: Deadline): Promise<StaleCheck> {
  const end = await readMirrorEnd(mirrorDir, tools.waldump(d));
  if (!end.ok) return { stale: false, why: end.why };
  const replay = await tools.replayLsn(server, d);
  if (!replay.ok || replay.value === undefined) return { stale: false, why: `the standby's replay position is unknown (${replay.ok ? 'not in recovery' : replay.why}): the mirror is kept` };
  if (replay.value < end.value.end) return { stale: false, why: 'the mirror holds WAL the standby has not replayed' };
  return { stale: true, why: `the standby replayed past the mirror's end`, previousDir: previousDirOf(mirrorDir) };
}

/** argv that replaces `<mirrorDir>.previous` with the mirror (the next start recreates mirrorDir empty). */
export function setAsideArgv(mirrorDir: string, previousDir: string): string[] {
  return ['sh', '-c', 'rm -rf -- "$2" && mv -- "$1" "$2"', 'set-aside', mirrorDir, previousDir];
}
