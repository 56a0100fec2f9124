/** `schema.name` or `name` as double-quoted identifiers (the option schema already allows only plain lower-case names). */
export function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

export function createHeartbeatSql(table: string): string {
  return `create table if not exists ${quoteTable(table)} (node text primary key, at timestamptz not null)`;
}

/** One statement, committed on its own: the row of the probing node gets the server's time. */
export function upsertHeartbeatSql(table: string): string {
  return `insert into ${quoteTable(table)} (node, at) values ($1, now()) on conflict (node) do update set at = excluded.at`;
}

export const LOGIN_SQL = 'select 1 as one, pg_is_in_recovery() as standby';
