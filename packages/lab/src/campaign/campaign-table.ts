import type { CampaignReport } from './campaign-report.js';

const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : `${value.toLocaleString('en-US')} ms`);

/** The report as a short table for a terminal. */
export function campaignTable(report: CampaignReport): string {
  const rows: [string, string][] = [
    ['seed / faults', `${report.seed} / ${report.faults}`],
    ['config', report.config],
    ['duration', ms(report.durationMs)],
    ['failovers', String(report.failovers.count)],
    ['false failovers', String(report.falseFailovers.count)],
    ['outages', `${report.restore.outages} (${report.restore.unrestored} not restored)`],
    ['restore p50 / p99 / max', `${ms(report.restore.ms?.p50)} / ${ms(report.restore.ms?.p99)} / ${ms(report.restore.ms?.max)}`],
    ['writes acked / uncertain / failed', `${report.writes.acked} / ${report.writes.uncertain} / ${report.writes.failed}`],
    ['acked writes lost', String(report.writes.lostAcked)],
    ['duplicated / out of order', `${report.writes.duplicated} / ${report.writes.outOfOrder}`],
    ['split-brain windows', String(report.splitBrain.windows)],
    ['stuck / unrestorable outages', `${report.outages.stuck} / ${report.outages.unrestorable}`],
    ['verdict', report.ok ? 'ok' : 'PROBLEMS FOUND'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const steps = report.steps.flatMap((s) => {
    const line = `  ${String(s.index + 1).padStart(3)}. ${s.description}${s.skipped ? ` (skipped: ${s.skipped})` : ''}: restore ${ms(s.restoreMs)}, failovers ${s.failovers}`;
    return s.outage ? [line, `       ${s.outage.summary}`] : [line];
  });
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), 'steps:', ...steps].join('\n');
}
