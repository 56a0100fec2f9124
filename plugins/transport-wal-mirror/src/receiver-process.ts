import { readFile } from 'node:fs/promises';
import { conninfo } from '@tandem/plugin-resource-postgres';

/** What pg_receivewal needs to stream from the primary into the mirror. */
export interface ReceiverSpec {
  readonly receivewal: string;
  readonly mirrorDir: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** application_name: the name synchronous_standby_names lists. */
  readonly mirrorName: string;
  readonly slot: string;
  readonly statusIntervalS: number;
}

export function receiverConninfo(s: ReceiverSpec): string {
  return conninfo({ host: s.host, port: s.port, user: s.user, application_name: s.mirrorName, connect_timeout: 5 });
}

/**
 * The long-running receiver. `--synchronous` flushes every write at once
 * and reports the flush position right away, which is what lets the primary
 * treat the mirror as a synchronous standby. No `--no-loop`: after a primary
 * restart or a network blip pg_receivewal reconnects by itself (every 5 s).
 */
export function receiverArgv(s: ReceiverSpec): string[] {
  return [s.receivewal, '--synchronous', '--slot', s.slot, '--directory', s.mirrorDir, '--status-interval', String(s.statusIntervalS), '--verbose', '--dbname', receiverConninfo(s)];
}

/** Create the slot on the primary if it does not exist (a separate, short pg_receivewal run). */
export function createSlotArgv(s: ReceiverSpec): string[] {
  return [s.receivewal, '--create-slot', '--if-not-exists', '--slot', s.slot, '--dbname', receiverConninfo(s)];
}

/**
 * Start `argv` detached: `setsid -f` forks it into a session of its own (so
 * it outlives the agent's command and any signal to the agent's group), the
 * shell writes its pid, then becomes the program with output to the log.
 * Paths travel as positional arguments, never inside the script text.
 */
export function detachedArgv(pidFile: string, logFile: string, argv: readonly string[]): string[] {
  const script = 'pid_file=$1; log_file=$2; shift 2; echo $$ > "$pid_file"; exec "$@" >> "$log_file" 2>&1 < /dev/null';
  return ['setsid', '-f', 'sh', '-c', script, 'tandem-wal-mirror', pidFile, logFile, ...argv];
}

/** The pid in the pid file, if the file holds one. */
export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is our pg_receivewal for this mirror: a pid file can outlive
 * its process and the pid be reused, so the command line is checked too.
 */
export async function isOurReceiver(pid: number, mirrorDir: string): Promise<boolean> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return (args[0] ?? '').endsWith('pg_receivewal') && args.includes(mirrorDir) && !args.includes('--create-slot');
  } catch {
    return false;
  }
}

export async function runningReceiver(pidFile: string, mirrorDir: string): Promise<number | undefined> {
  const pid = await readPid(pidFile);
  return pid !== undefined && (await isOurReceiver(pid, mirrorDir)) ? pid : undefined;
}
