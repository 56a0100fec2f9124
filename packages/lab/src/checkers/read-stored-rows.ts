import pg from 'pg';
import type { PgTarget } from './pg-session.js';
import type { StoredRow } from './workload-records.js';

interface RawRow {
  id: string;
  writer: string;
  seq: string;
  host: string | null;
  committed_at_ms: string;
}

/**
 * All rows of tandem_lab_writes (optionally only some writers), in id order.
 * bigint columns arrive as strings and are converted; ids stay far below 2^53.
 */
export async function readStoredRows(target: PgTarget, options: { writers?: readonly string[]; timeoutMs?: number } = {}): Promise<StoredRow[]> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = new pg.Client({ ...target, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'tandem-lab-verify' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const filter = options.writers === undefined ? '' : 'WHERE writer = ANY($1::text[])';
    const params = options.writers === undefined ? [] : [[...options.writers]];
    const result = await client.query<RawRow>(
      `SELECT id, writer, seq, host, (extract(epoch from committed_at) * 1000)::bigint AS committed_at_ms FROM tandem_lab_writes ${filter} ORDER BY id`,
      params,
    );
    return result.rows.map((row) => ({ id: Number(row.id), writer: row.writer, seq: Number(row.seq), host: row.host ?? '', committedAtMs: Number(row.committed_at_ms) }));
  } finally {
    client.connection.stream.destroy();
    await client.end().catch(() => undefined);
  }
}
