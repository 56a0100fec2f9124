import { readFile } from 'node:fs/promises';
import { ok, outcome, type Outcome } from '@tandem/core';
import { logFileOf, type PostgresAgentOptions } from './options.js';
import { commandFailure, waitSeconds, type Deadline, type PgTools } from './pg-tools.js';
import { IMMEDIATE_STOP_MS } from './stop-server.js';

/**
 * pg_ctl start -w. A start that did not finish (deadline, crash during
 * recovery) is stopped again with `immediate`, so `timeout` and `failed`
 * leave no half-started server behind; the log's last lines say why.
 */
export async function startServer(tools: PgTools, d: Deadline): Promise<Outcome> {
  const { options } = tools;
  const r = await tools.run(tools.startArgv(waitSeconds(options.startTimeoutMs, d)), { timeoutMs: d.remainingMs(), signal: d.signal });
  if (r.kind === 'exited' && r.exitCode === 0) return ok(`PostgreSQL ${options.dataDir} started on port ${options.port}`);
  const failure = commandFailure('pg_ctl start', r);
  if (failure.code === 'not-installed') return failure;
  await tools.run(tools.stopArgv('immediate', 10), { timeoutMs: IMMEDIATE_STOP_MS });
  return outcome(failure.code, `${failure.reason}; ${await logTail(options)}`);
}

export async function logTail(options: PostgresAgentOptions): Promise<string> {
  const file = logFileOf(options);
  const text = await readFile(file, 'utf8').catch(() => '');
  const tail = text.trim().split('\n').slice(-3).join(' | ');
  return tail ? `log ${file} says: ${tail.slice(-400)}` : `nothing in ${file}`;
}
