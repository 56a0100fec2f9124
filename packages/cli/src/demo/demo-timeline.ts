import type { StoredEvent } from '@tandem/core';
import { safeLine } from '../safe-text.js';

export interface TimelineRow {
  readonly step: string;
  readonly atWallMs: number | undefined;
  readonly node: string | undefined;
  readonly detail: string;
}

/**
 * Turn the events agents wrote after the crash into the failover steps an
 * operator knows: detect+confirm, gateway, elect, fence, compensate, promote;
 * `serve` is the demo client's own observation.
 */
export function buildTimeline(events: readonly StoredEvent[], crashAtWallMs: number, newPrimary: string, servedAtWallMs: number): TimelineRow[] {
  const after = events.filter((e) => e.atWallMs >= crashAtWallMs).sort((a, b) => a.atWallMs - b.atWallMs);
  const first = (pred: (e: StoredEvent) => boolean): StoredEvent | undefined => after.find(pred);
  const ok = (type: string) => (e: StoredEvent): boolean => e.node === newPrimary && e.type === type && / ok /.test(`${e.message} `.replace(': ok', ' ok '));
  const row = (step: string, e: StoredEvent | undefined, fallback: string): TimelineRow => ({ step, atWallMs: e?.atWallMs, node: e?.node, detail: e?.message ?? fallback });
  const gateway = first(ok('action.check-gateway'));
  return [
    { step: 'crash', atWallMs: crashAtWallMs, node: undefined, detail: 'primary agent and its service killed with SIGKILL' },
    row('detect+confirm', first((e) => e.type === 'ha.detect'), 'no detection event'),
    row('gateway', gateway, 'no gateway check after the crash'),
    row('elect', first(ok('action.acquire-lease')), 'no election event'),
    row('fence', first(ok('action.fence')), 'no fence event'),
    row('compensate', first(ok('action.compensate')), 'no compensation event'),
    row('promote', first(ok('action.promote')), 'no promotion event'),
    { step: 'serve', atWallMs: servedAtWallMs, node: newPrimary, detail: `client connected to the service on ${newPrimary}` },
  ];
}

/** Node names and details come from the store's events: one line each. */
export function renderTimeline(rows: readonly TimelineRow[], crashAtWallMs: number): string {
  const lines = [`${'STEP'.padEnd(16)}${'+MS'.padStart(8)}  ${'NODE'.padEnd(6)}DETAIL`];
  for (const r of rows) {
    const at = r.atWallMs === undefined ? '-' : String(r.atWallMs - crashAtWallMs);
    lines.push(`${r.step.padEnd(16)}${at.padStart(8)}  ${safeLine(r.node ?? '').padEnd(6)}${safeLine(r.detail)}`);
  }
  return lines.join('\n');
}
