import { readFile } from 'node:fs/promises';
import { ProbeRecordSchema, WriteAttemptSchema, type ProbeRecord, type WriteAttempt } from './workload-records.js';

export interface WorkloadLog {
  readonly attempts: WriteAttempt[];
  readonly probes: ProbeRecord[];
  /** The last line was cut short (the writer was killed mid-line) and was skipped. */
  readonly tornLastLine: boolean;
  /** 1-based numbers of other lines that were not valid records (kept out, reported). */
  readonly badLines: number[];
}

/** Split a workload JSONL text into write attempts and probes; other kinds (start, stop) are ignored. */
export function parseWorkloadLog(text: string): WorkloadLog {
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  const attempts: WriteAttempt[] = [];
  const probes: ProbeRecord[] = [];
  const badLines: number[] = [];
  let tornLastLine = false;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1;
    const record = parseLine(line);
    if (record === undefined) {
      // A line without its newline at the very end is a write the process never finished.
      if (isLast && !complete) tornLastLine = true;
      else badLines.push(index + 1);
      return;
    }
    if (record.kind === 'write') attempts.push(record);
    else if (record.kind === 'probe') probes.push(record);
  });
  return { attempts, probes, tornLastLine, badLines };
}

function parseLine(line: string): WriteAttempt | ProbeRecord | { kind: 'other' } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'write') return WriteAttemptSchema.safeParse(value).data;
  if (kind === 'probe') return ProbeRecordSchema.safeParse(value).data;
  return typeof kind === 'string' ? { kind: 'other' } : undefined;
}

export async function readWorkloadLog(path: string): Promise<WorkloadLog> {
  return parseWorkloadLog(await readFile(path, 'utf8'));
}
