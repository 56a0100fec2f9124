/** A SQL string literal (standard_conforming_strings: only `'` needs doubling). */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * restore_command that serves segments from the mirror: the complete file
 * when there is one, else the `.partial` one pg_receivewal is still filling
 * (padded with zeros after the last record, where replay stops). Anything
 * else (history files) is "not found", as recovery expects. mirrorDir is a
 * plain path (the options refuse shell characters).
 */
export function restoreCommand(mirrorDir: string): string {
  const dir = mirrorDir.replace(/\/+$/, '');
  return `cp ${dir}/%f %p 2>/dev/null || cp ${dir}/%f.partial %p 2>/dev/null`;
}

/**
 * Settings that turn the standby to the mirror: restore_command (reloadable
 * since PostgreSQL 14), an empty primary_conninfo so the startup process
 * stops waiting on the dead primary's stream and cycles archive and pg_wal,
 * and a short retry interval so the partial segment is re-read promptly.
 */
export function compensationStatements(mirrorDir: string, retryIntervalMs: number): string[] {
  return [
    `alter system set restore_command = ${sqlLiteral(restoreCommand(mirrorDir))}`,
    "alter system set primary_conninfo = ''",
    `alter system set wal_retrieve_retry_interval = '${retryIntervalMs}ms'`,
    'select pg_reload_conf()',
  ];
}

/** Replay paused by an operator (or a test) would stop compensation: resume it when paused. */
export const RESUME_REPLAY_SQL = "select case when pg_get_wal_replay_pause_state() <> 'not paused' then pg_wal_replay_resume() end";
