import { formatLsn, parseSegmentName, segmentFileName } from '@tandem/plugin-transport-wal-mirror';
import type { HostShell, Ran } from './host-shell.js';
import { parseRecordLine, parseScanStop, recordEnd } from './wal-end.js';

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string; readonly timeout?: boolean };

/** What the local standby has: replayed, and received into its own pg_wal (undefined when it never streamed since it started). */
export interface StandbyPosition {
  readonly replay: number;
  readonly received: number | undefined;
}

/** Where the valid WAL on the array ends; `from` is where the scan (and the staged copy) starts. */
export interface WalEnd {
  readonly from: number;
  readonly end: number;
  readonly timeline: number;
  readonly segmentBytes: number;
}

const isSegmentSize = (n: number): boolean => n >= 2 ** 20 && n <= 2 ** 30 && (n & (n - 1)) === 0;
const fail = <T>(why: string, timeout = false): Found<T> => ({ ok: false, why, ...(timeout ? { timeout } : {}) });

/** `name size` lines of the pg_wal directory's segment files (GNU find, no shell). */
export function listSegmentsArgv(walDir: string): string[] {
  return ['find', walDir, '-maxdepth', '1', '-type', 'f', '-name', '????????????????????????', '-printf', '%f %s\\n'];
}

export function parseListing(stdout: string): { name: string; size: number }[] {
  return stdout
    .split('\n')
    .map((l) => /^([0-9A-F]{24}) (\d+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, size: Number(m[2]) }));
}

/**
 * Find the end of the valid WAL in the array's pg_wal, starting at the
 * standby's replay position `from`, never at a file name: pg_wal holds
 * recycled segments renamed to future names with old content, so "the
 * newest file" means nothing. pg_waldump walks records from `from` and stops
 * at the first thing that is not the next record of this WAL: a page whose
 * header carries another address or timeline (an old, recycled page), zeros,
 * a record whose CRC or back-link is wrong (torn by the crash). The end is
 * the end of the last record it read whole.
 */
export async function scanWalEnd(sh: HostShell, waldump: string, walDir: string, standby: StandbyPosition, scratchDir: string): Promise<Found<WalEnd>> {
  const listed = await sh.run(listSegmentsArgv(walDir), { readOnly: true });
  if (!listed.ok) return fail(`cannot list ${walDir}: ${listed.outcome.reason}`, listed.outcome.code === 'timeout');
  const files = parseListing(listed.stdout);
  const segmentBytes = files[0]?.size ?? 0;
  if (!isSegmentSize(segmentBytes)) return fail(files.length === 0 ? `${walDir} holds no WAL segment` : `${walDir}/${files[0]!.name} is ${segmentBytes} bytes, not a WAL segment size`);
  // The segment holding a position; the highest timeline when a promotion left two (the old one is renamed .partial anyway).
  const segmentOf = (lsn: number) =>
    files
      .map((f) => parseSegmentName(f.name, segmentBytes))
      .filter((s) => s !== undefined && s.segmentNo === Math.floor(lsn / segmentBytes))
      .sort((a, b) => b!.timeline - a!.timeline)[0];
  // The primary recycles WAL the standby has received even if not replayed yet: that part is in the standby's own
  // pg_wal, so the scan may start where reception stopped. WAL never received is kept by the standby's slot.
  let from = standby.replay;
  let start = segmentOf(from);
  if (start === undefined && standby.received !== undefined && standby.received > from) {
    from = standby.received;
    start = segmentOf(from);
  }
  if (start === undefined) return fail(`${walDir} has no segment for the standby's replay position ${formatLsn(standby.replay)}${standby.received === undefined ? '' : ` nor its receive position ${formatLsn(standby.received)}`}: the array does not hold the WAL the standby needs next (does the standby stream through a replication slot?)`);
  const timeline = start.timeline;
  const dump = (dir: string, extra: readonly string[]): Promise<Ran> =>
    sh.run([waldump, '-t', String(timeline), '-p', dir, ...extra], { readOnly: true, accept: [1] });

  let dir = walDir;
  let ran = await dump(dir, ['-q', '-s', formatLsn(from)]);
  if (!ran.ok) return fail(`pg_waldump on ${walDir}: ${ran.outcome.reason}`, ran.outcome.code === 'timeout');
  let stop = parseScanStop(ran.stderr);
  if (stop.kind === 'missing-file') {
    // The next segment was never created, so nothing was written there; a zero-filled stand-in makes pg_waldump name the last whole record.
    const stood = await standIn(sh, walDir, scratchDir, files.map((f) => f.name), stop.file, segmentBytes);
    if (!stood.ok) return stood;
    dir = scratchDir;
    ran = await dump(dir, ['-q', '-s', formatLsn(from)]);
    if (!ran.ok) return fail(`pg_waldump on ${scratchDir}: ${ran.outcome.reason}`, ran.outcome.code === 'timeout');
    stop = parseScanStop(ran.stderr);
  }
  if (stop.kind === 'no-record') return { ok: true, value: { from, end: from, timeline, segmentBytes } };
  if (stop.kind !== 'after-record') return fail(`pg_waldump stopped in a way this plugin does not know: ${stop.kind === 'unknown' ? stop.text || `exit ${ran.exitCode}, no message` : stop.kind}`);
  const last = await dump(dir, ['-n', '1', '-s', formatLsn(stop.lastGood)]);
  if (!last.ok) return fail(`pg_waldump on the last record: ${last.outcome.reason}`, last.outcome.code === 'timeout');
  const record = parseRecordLine(last.stdout);
  if (record === undefined || record.lsn !== stop.lastGood) return fail(`pg_waldump did not show the record at ${formatLsn(stop.lastGood)}: ${(last.stdout + last.stderr).slice(0, 300)}`);
  const end = recordEnd(record.lsn, record.totalBytes, segmentBytes);
  if (end < from) return fail(`the WAL on the array ends at ${formatLsn(end)}, before ${formatLsn(from)}, which the standby already has`);
  return { ok: true, value: { from, end, timeline, segmentBytes } };
}

/** A scratch directory of links to the segments, plus a sparse zero-filled file under the missing name. */
async function standIn(sh: HostShell, walDir: string, scratchDir: string, names: readonly string[], missing: string, segmentBytes: number): Promise<Found<void>> {
  const steps: string[][] = [
    ['rm', '-rf', '--one-file-system', scratchDir],
    ['mkdir', '-p', '-m', '0700', scratchDir],
    ...(names.length > 0 ? [['ln', '-s', ...names.map((n) => `${walDir}/${n}`), `${scratchDir}/`]] : []),
    ['truncate', '-s', String(segmentBytes), `${scratchDir}/${missing}`],
  ];
  for (const argv of steps) {
    const r = await sh.run(argv);
    if (!r.ok) return fail(`preparing ${scratchDir}: ${r.outcome.reason}`, r.outcome.code === 'timeout');
  }
  return { ok: true, value: undefined };
}

/**
 * Copy the range [from, end) into `stagingDir` the way a pg_receivewal
 * mirror looks, so recovery-compensate (and its restore_command) reads it
 * unchanged: whole segments before the end, and the end's segment as
 * `<name>.partial` with every byte past the end zeroed. Zeroing matters:
 * past the end, the array holds a recycled segment's old pages.
 */
export async function stageRange(sh: HostShell, walDir: string, stagingDir: string, owner: string, range: WalEnd): Promise<Found<string[]>> {
  const { from, end, timeline, segmentBytes } = range;
  const name = (seg: number): string => segmentFileName(timeline, seg, segmentBytes);
  const first = Math.floor(from / segmentBytes);
  const last = Math.floor(end / segmentBytes);
  const whole = Array.from({ length: last - first }, (_, i) => name(first + i));
  const tail = `${stagingDir}/${name(last)}.partial`;
  const endOffset = end - last * segmentBytes;
  const listed = await sh.run(listSegmentsArgv(walDir), { readOnly: true });
  if (!listed.ok) return fail(`cannot list ${walDir}: ${listed.outcome.reason}`, listed.outcome.code === 'timeout');
  const present = new Set(parseListing(listed.stdout).map((f) => f.name));
  const absent = whole.filter((n) => !present.has(n));
  if (absent.length > 0) return fail(`${walDir} lacks ${absent.join(', ')} inside the range ${formatLsn(from)}..${formatLsn(end)}`);
  const steps: string[][] = [
    ['rm', '-rf', '--one-file-system', stagingDir],
    ['install', '-d', '-m', '0700', '-o', owner, '-g', owner, stagingDir],
    ...(whole.length > 0 ? [['cp', '--no-preserve=all', ...whole.map((n) => `${walDir}/${n}`), `${stagingDir}/`]] : []),
    // The end's segment may not exist when the end is exactly a segment boundary: an empty file stands in.
    present.has(name(last)) ? ['cp', '--no-preserve=all', `${walDir}/${name(last)}`, tail] : ['touch', tail],
    ['truncate', '-s', String(endOffset), tail],
    ['truncate', '-s', String(segmentBytes), tail],
    ['chown', '-R', `${owner}:${owner}`, stagingDir],
  ];
  for (const argv of steps) {
    const r = await sh.run(argv);
    if (!r.ok) return fail(`staging the WAL in ${stagingDir}: ${r.outcome.reason}`, r.outcome.code === 'timeout');
  }
  return { ok: true, value: [...whole, `${name(last)}.partial`] };
}
