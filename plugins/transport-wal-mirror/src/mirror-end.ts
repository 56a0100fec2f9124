import { mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLsn, parseSegmentName, segmentStartOffset, type WalSegmentName } from './lsn.js';

/** The WAL files of a pg_receivewal directory that matter for its end: the newest segment and the one before it. */
export interface MirrorListing {
  readonly newest: WalSegmentName;
  readonly previous: WalSegmentName | undefined;
  readonly segmentBytes: number;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'it is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'an I/O error (the disk under it may be failing)',
};

/** An fs error as an operator reads it, with its code: "it does not exist (ENOENT)". */
function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return String(error);
  const words = FS_ERRORS[code];
  return words === undefined ? code : `${words} (${code})`;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * Read the mirror directory. The segment size comes from the newest file's
 * size: pg_receivewal creates each `.partial` at full segment size (padded
 * with zeros) and renames it when complete, so both have the size.
 */
export async function listMirror(dir: string): Promise<Result<MirrorListing>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    return { ok: false, why: `cannot read the mirror directory ${dir}: ${describeFsError(error)}` };
  }
  const wal = names.filter((n) => /^[0-9A-F]{24}(\.partial)?$/.test(n)).sort();
  const last = wal.at(-1);
  if (last === undefined) return { ok: false, why: `the mirror directory ${dir} holds no WAL segment` };
  let segmentBytes: number;
  try {
    segmentBytes = (await stat(join(dir, last))).size;
  } catch (error) {
    return { ok: false, why: `cannot stat ${join(dir, last)}: ${describeFsError(error)}` };
  }
  if (!isPowerOfTwo(segmentBytes) || segmentBytes < 2 ** 20 || segmentBytes > 2 ** 30) {
    return { ok: false, why: `${join(dir, last)} is ${segmentBytes} bytes, not a WAL segment size (a power of two from 1 MiB to 1 GiB): the mirror is damaged` };
  }
  // Order by segment number, then timeline: after a timeline switch the same segment can exist on two timelines.
  const parsed = wal.map((n) => parseSegmentName(n, segmentBytes)).filter((s): s is WalSegmentName => s !== undefined);
  parsed.sort((a, b) => a.segmentNo - b.segmentNo || a.timeline - b.timeline || Number(b.partial) - Number(a.partial));
  const newest = parsed.at(-1);
  if (newest === undefined) return { ok: false, why: `the mirror directory ${dir} holds no WAL segment` };
  const previous = parsed.filter((s) => s.segmentNo === newest.segmentNo - 1 && s.timeline <= newest.timeline).at(-1);
  return { ok: true, value: { newest, previous, segmentBytes } };
}

export const fileNameOf = (s: WalSegmentName): string => (s.partial ? `${s.name}.partial` : s.name);

const PAGE_BYTES = 8192;
const SHORT_PAGE_HEADER_BYTES = 24;
const LONG_PAGE_HEADER_BYTES = 40;

/**
 * pg_waldump reports where reading stopped as the place the next record
 * would start; when the last record ended on a page boundary that place is
 * past the next page's header. Replay reports the boundary itself, so the
 * header is taken off to compare like with like.
 */
export function withoutPageHeader(offset: number, segmentBytes: number): number {
  if (offset % segmentBytes === LONG_PAGE_HEADER_BYTES) return offset - LONG_PAGE_HEADER_BYTES;
  if (offset % PAGE_BYTES === SHORT_PAGE_HEADER_BYTES) return offset - SHORT_PAGE_HEADER_BYTES;
  return offset;
}

export type WaldumpEnd = { readonly kind: 'end'; readonly offset: number } | { readonly kind: 'no-record' } | { readonly kind: 'unknown'; readonly text: string };

/**
 * Where valid WAL ends, from `pg_waldump -q`'s error line. It always stops
 * with an error on a mirror: past the last record it meets the zero padding
 * ("invalid record length at X", or "invalid magic number 0000 in ...
 * segment S, offset N" when the padding starts on a page boundary).
 */
export function parseWaldumpEnd(stderr: string, segmentBytes: number): WaldumpEnd {
  const text = stderr.trim();
  if (/could not find a valid record after/.test(text)) return { kind: 'no-record' };
  const magic = /invalid magic number [0-9A-F]+ in (?:log|WAL) segment ([0-9A-F]{24}),(?: LSN [0-9A-F]+\/[0-9A-F]+,)? offset (\d+)/.exec(text);
  if (magic) {
    const seg = parseSegmentName(magic[1] ?? '', segmentBytes);
    if (seg) return { kind: 'end', offset: segmentStartOffset(seg.segmentNo, segmentBytes) + Number(magic[2]) };
  }
  const line = text.split('\n').find((l) => l.includes('error in WAL record at'));
  if (line !== undefined) {
    // "error in WAL record at A: <reason> at B[: ...]": B is where the unreadable record would start.
    const reason = line.slice(line.indexOf(': ', line.indexOf('error in WAL record at')) + 2);
    const lsns = [...reason.matchAll(/([0-9A-F]{1,8}\/[0-9A-F]{1,8})/g)].map((m) => parseLsn(m[1] ?? ''));
    const end = lsns.at(-1);
    if (end !== undefined) return { kind: 'end', offset: withoutPageHeader(end, segmentBytes) };
  }
  return { kind: 'unknown', text: text.slice(-400) };
}

/** Runs `pg_waldump -q -p <dir> <start> [<end>]` and returns its exit code and stderr, or why it could not run. */
export type WaldumpRunner = (dir: string, startSegment: string, endSegment: string | undefined) => Promise<Result<{ readonly stderr: string }>>;

/**
 * The end of the valid WAL the mirror holds, as a byte offset. pg_waldump
 * reads the newest segment through a symlink under its plain segment name
 * (it does not accept `.partial` names). When the newest segment starts
 * with the tail of a record that began in the previous one and holds no
 * record of its own, the previous segment is read too.
 */
export async function readMirrorEnd(dir: string, waldump: WaldumpRunner): Promise<Result<{ readonly end: number; readonly listing: MirrorListing }>> {
  const listed = await listMirror(dir);
  if (!listed.ok) return listed;
  const { newest, previous, segmentBytes } = listed.value;
  const work = await mkdtemp(join(tmpdir(), 'tandem-walmirror-'));
  try {
    await symlink(join(dir, fileNameOf(newest)), join(work, newest.name));
    let ran = await waldump(work, newest.name, undefined);
    if (!ran.ok) return ran;
    let parsed = parseWaldumpEnd(ran.value.stderr, segmentBytes);
    if (parsed.kind === 'no-record' && previous !== undefined) {
      await symlink(join(dir, fileNameOf(previous)), join(work, previous.name));
      ran = await waldump(work, previous.name, newest.name);
      if (!ran.ok) return ran;
      parsed = parseWaldumpEnd(ran.value.stderr, segmentBytes);
    }
    if (parsed.kind === 'end') return { ok: true, value: { end: parsed.offset, listing: listed.value } };
    const ranOffEnd = parsed.kind === 'no-record' || /could not (?:find|open) file/.test(ran.value.stderr);
    if (ranOffEnd && !newest.partial) {
      // A complete segment and nothing after it: everything up to its end was received.
      return { ok: true, value: { end: segmentStartOffset(newest.segmentNo + 1, segmentBytes), listing: listed.value } };
    }
    const detail = parsed.kind === 'unknown' ? parsed.text : 'no complete WAL record in the newest segment';
    return { ok: false, why: `cannot find the end of the WAL in ${join(dir, fileNameOf(newest))}: ${detail || 'pg_waldump gave no answer'}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
