import type { StreamPosition } from '@tandem/core';

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const TWO_POW_32 = 2 ** 32;

/** `0/3016D10` as a byte offset: (hi << 32) + lo. Offsets stay below 2^53, which PostgreSQL reaches only after 8 PiB of WAL. */
export function parseLsn(text: string): number | undefined {
  const m = LSN.exec(text.trim());
  if (!m) return undefined;
  return Number.parseInt(m[1] ?? '0', 16) * TWO_POW_32 + Number.parseInt(m[2] ?? '0', 16);
}

/** A byte offset in PostgreSQL's own notation (upper-case hex, no padding), as pg_current_wal_lsn() prints it. */
export function formatLsn(offset: number): string {
  const hi = Math.floor(offset / TWO_POW_32);
  const lo = offset - hi * TWO_POW_32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

export function positionOf(offset: number): StreamPosition {
  return { offset, label: formatLsn(offset) };
}

/** A WAL segment file name: 8 hex digits of timeline, then the segment number as two 8-digit halves. */
export interface WalSegmentName {
  readonly name: string;
  readonly timeline: number;
  /** Segment number counted in segments of the cluster's size (the log/seg halves of the name combined). */
  readonly segmentNo: number;
  readonly partial: boolean;
}

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\.partial)?$/;

/**
 * Parse a file name from a pg_receivewal directory. The name's middle part
 * counts 4 GiB units and the last part segments within them, so the segment
 * number depends on the segment size: segmentNo = log * (4 GiB / size) + seg.
 */
export function parseSegmentName(fileName: string, segmentBytes: number): WalSegmentName | undefined {
  const m = SEGMENT.exec(fileName);
  if (!m) return undefined;
  const perLog = TWO_POW_32 / segmentBytes;
  const log = Number.parseInt(m[2] ?? '0', 16);
  const seg = Number.parseInt(m[3] ?? '0', 16);
  return { name: `${m[1]}${m[2]}${m[3]}`, timeline: Number.parseInt(m[1] ?? '0', 16), segmentNo: log * perLog + seg, partial: m[4] !== undefined };
}

export function segmentStartOffset(segmentNo: number, segmentBytes: number): number {
  return segmentNo * segmentBytes;
}

/** The file name of `segmentNo` on `timeline` (what the startup process asks restore_command for). */
export function segmentFileName(timeline: number, segmentNo: number, segmentBytes: number): string {
  const perLog = TWO_POW_32 / segmentBytes;
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(timeline)}${hex(Math.floor(segmentNo / perLog))}${hex(segmentNo % perLog)}`;
}
