import type { CommandResult } from '@tandem/core';

export type ServerStatus =
  | { readonly kind: 'running'; readonly pid: number | undefined }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'no-data-dir'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string; readonly code: 'timeout' | 'not-installed' | 'unknown' };

/** `pg_ctl status`: exit 0 running (with the postmaster's pid), 3 not running, 4 no accessible data directory. */
export function parsePgCtlStatus(result: CommandResult): ServerStatus {
  if (result.kind === 'not-installed') return { kind: 'unknown', message: result.message, code: 'not-installed' };
  if (result.kind !== 'exited') return { kind: 'unknown', message: `pg_ctl status: ${result.kind === 'aborted' ? 'the caller gave up' : 'no answer in time'}`, code: 'timeout' };
  const text = `${result.stdout}\n${result.stderr}`.trim();
  if (result.exitCode === 0) {
    const pid = /PID:\s*(\d+)/.exec(text)?.[1];
    return { kind: 'running', pid: pid === undefined ? undefined : Number(pid) };
  }
  if (result.exitCode === 3) return { kind: 'stopped' };
  if (result.exitCode === 4) return { kind: 'no-data-dir', message: text || 'no accessible data directory' };
  if (result.exitCode === 127) return { kind: 'unknown', message: `pg_ctl not found (${text.slice(0, 200)}): apt-get install postgresql, or set options.binDir`, code: 'not-installed' };
  return { kind: 'unknown', message: `pg_ctl status exited ${result.exitCode}: ${text.slice(0, 300)}`, code: 'unknown' };
}

/** `select pg_is_in_recovery()` printed by psql -At: `t` or `f`. */
export function parseInRecovery(stdout: string): boolean | undefined {
  const v = stdout.trim();
  return v === 't' ? true : v === 'f' ? false : undefined;
}

export interface WalReceiverRow {
  readonly status: string;
  readonly senderHost: string;
  readonly senderPort: number | undefined;
  readonly slotName: string;
}

/** One row of `select status, sender_host, sender_port, slot_name from pg_stat_wal_receiver` (psql -At, `|` separated); undefined when the view is empty. */
export function parseWalReceiver(stdout: string): WalReceiverRow | undefined {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  const [status = '', senderHost = '', senderPort = '', slotName = ''] = line.trim().split('|');
  const port = Number(senderPort);
  return { status, senderHost, senderPort: senderPort !== '' && Number.isInteger(port) ? port : undefined, slotName };
}

/** Progress output split into lines: pg_basebackup -P redraws one line with `\r`. */
export function progressLines(text: string): string[] {
  return text
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Bytes copied according to the last `<done>/<total> kB` progress line, or undefined. */
export function progressBytes(text: string): number | undefined {
  let bytes: number | undefined;
  for (const m of text.matchAll(/(\d+)\/(\d+) kB/g)) bytes = Number(m[1]) * 1024;
  return bytes;
}
