import { z } from 'zod';

/**
 * How one write attempt ended, as the client saw it:
 * - acked: the server answered the INSERT with its row; the write must survive.
 * - failed: the statement never ran (connect refused, server error before commit).
 * - uncertain: the attempt may or may not have committed (deadline hit or
 *   connection lost after sending, or a commit that warned that synchronous
 *   replication was cancelled). Never counted as lost, never as safe.
 */
export type WriteOutcome = 'acked' | 'failed' | 'uncertain';

export const WriteAttemptSchema = z.object({
  kind: z.literal('write'),
  writer: z.string(),
  seq: z.number().int().positive(),
  startMs: z.number(),
  endMs: z.number(),
  outcome: z.enum(['acked', 'failed', 'uncertain']),
  /** The server that answered (its cluster_name), for acked writes. */
  host: z.string().optional(),
  error: z.string().optional(),
});
export type WriteAttempt = z.infer<typeof WriteAttemptSchema>;

export const ProbeRecordSchema = z.object({
  kind: z.literal('probe'),
  /** The host's name as given in --hosts (its own address, not the service address). */
  host: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  writable: z.boolean(),
  error: z.string().optional(),
});
export type ProbeRecord = z.infer<typeof ProbeRecordSchema>;

/** One row of tandem_lab_writes as the verifier reads it back. */
export interface StoredRow {
  readonly id: number;
  readonly writer: string;
  readonly seq: number;
  readonly host: string;
  readonly committedAtMs: number;
}

/** Table the workload writes; deliberately no unique (writer, seq) so duplicates stay visible. */
export const WRITES_TABLE_SQL = `CREATE TABLE IF NOT EXISTS tandem_lab_writes (
  id bigserial PRIMARY KEY,
  writer text NOT NULL,
  seq bigint NOT NULL,
  host text DEFAULT current_setting('cluster_name'),
  committed_at timestamptz DEFAULT clock_timestamp()
)`;

export const PROBE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS tandem_lab_probe (
  id bigserial PRIMARY KEY,
  host text,
  probed_at timestamptz DEFAULT clock_timestamp()
)`;

export const INSERT_WRITE_SQL = 'INSERT INTO tandem_lab_writes(writer, seq) VALUES ($1, $2) RETURNING host, committed_at';
export const INSERT_PROBE_SQL = "INSERT INTO tandem_lab_probe(host) VALUES (current_setting('cluster_name')) RETURNING host";
