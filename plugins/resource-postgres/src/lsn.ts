import type { StreamPosition } from '@tandem/core';

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const TWO_POW_32 = 2 ** 32;

/**
 * `0/3016D10` as a byte offset: (hi << 32) + lo; undefined for anything else
 * (psql prints SQL NULL as an empty string). The same notation as the WAL
 * mirror's, kept here because plugins do not import one another.
 */
export function parseLsn(text: string): number | undefined {
  const m = LSN.exec(text.trim());
  if (!m) return undefined;
  return Number.parseInt(m[1] ?? '0', 16) * TWO_POW_32 + Number.parseInt(m[2] ?? '0', 16);
}

/** A byte offset in PostgreSQL's own notation (upper-case hex, no padding). */
export function formatLsn(offset: number): string {
  const hi = Math.floor(offset / TWO_POW_32);
  return `${hi.toString(16).toUpperCase()}/${(offset - hi * TWO_POW_32).toString(16).toUpperCase()}`;
}

export function positionOf(offset: number): StreamPosition {
  return { offset, label: formatLsn(offset) };
}
