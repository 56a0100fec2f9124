/** Which source showed a host accepting writes. */
export type SplitBrainEvidence = 'client-answers' | 'writable-probes';

/** An acked write on the service address, and the host that answered it. */
export interface ServiceAnswer {
  readonly atMs: number;
  readonly host: string;
}

/** A poll of one host's own address: did it accept a write? */
export interface WritableProbe {
  readonly startMs: number;
  readonly endMs: number;
  readonly host: string;
  readonly writable: boolean;
}

export interface SplitBrainInput {
  readonly answers: readonly ServiceAnswer[];
  readonly writable: readonly WritableProbe[];
  /** Observations of one host closer than this are one continuous span of accepting writes. */
  readonly mergeGapMs: number;
}

/** A time span in which 2+ different hosts were seen accepting writes. */
export interface SplitBrainWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly hosts: string[];
  readonly evidence: SplitBrainEvidence[];
}

interface Interval {
  startMs: number;
  endMs: number;
  readonly host: string;
  readonly source: SplitBrainEvidence;
}

/**
 * Find spans where two or more hosts accepted writes at once. Each host's
 * observations become intervals (merged when closer than mergeGapMs; a probe
 * that found the host not writable ends its interval); every overlap of two
 * intervals of different hosts is a window, and overlapping windows merge.
 * A clean failover (A stops, a gap, B starts) yields none.
 */
export function detectSplitBrain(input: SplitBrainInput): SplitBrainWindow[] {
  const intervals = [...answerIntervals(input.answers, input.mergeGapMs), ...probeIntervals(input.writable, input.mergeGapMs)];
  const overlaps: SplitBrainWindow[] = [];
  for (let i = 0; i < intervals.length; i += 1) {
    for (let j = i + 1; j < intervals.length; j += 1) {
      const a = intervals[i];
      const b = intervals[j];
      if (a === undefined || b === undefined || a.host === b.host) continue;
      const startMs = Math.max(a.startMs, b.startMs);
      const endMs = Math.min(a.endMs, b.endMs);
      if (startMs <= endMs) overlaps.push({ startMs, endMs, hosts: [a.host, b.host], evidence: [a.source, b.source] });
    }
  }
  return mergeWindows(overlaps);
}

function groupByHost<T extends { host: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.host) ?? [];
    list.push(item);
    groups.set(item.host, list);
  }
  return groups;
}

function answerIntervals(answers: readonly ServiceAnswer[], mergeGapMs: number): Interval[] {
  const out: Interval[] = [];
  for (const [host, list] of groupByHost(answers)) {
    let open: Interval | undefined;
    for (const answer of [...list].sort((a, b) => a.atMs - b.atMs)) {
      if (open !== undefined && answer.atMs - open.endMs <= mergeGapMs) {
        open.endMs = answer.atMs;
        continue;
      }
      open = { startMs: answer.atMs, endMs: answer.atMs, host, source: 'client-answers' };
      out.push(open);
    }
  }
  return out;
}

function probeIntervals(probes: readonly WritableProbe[], mergeGapMs: number): Interval[] {
  const out: Interval[] = [];
  for (const [host, list] of groupByHost(probes)) {
    let open: Interval | undefined;
    for (const probe of [...list].sort((a, b) => a.startMs - b.startMs)) {
      if (!probe.writable) {
        open = undefined;
        continue;
      }
      if (open !== undefined && probe.startMs - open.endMs <= mergeGapMs) {
        open.endMs = Math.max(open.endMs, probe.endMs);
        continue;
      }
      open = { startMs: probe.startMs, endMs: probe.endMs, host, source: 'writable-probes' };
      out.push(open);
    }
  }
  return out;
}

function mergeWindows(overlaps: readonly SplitBrainWindow[]): SplitBrainWindow[] {
  const merged: SplitBrainWindow[] = [];
  for (const window of [...overlaps].sort((a, b) => a.startMs - b.startMs)) {
    const last = merged[merged.length - 1];
    if (last !== undefined && window.startMs <= last.endMs) {
      merged[merged.length - 1] = {
        startMs: last.startMs,
        endMs: Math.max(last.endMs, window.endMs),
        hosts: [...new Set([...last.hosts, ...window.hosts])].sort(),
        evidence: [...new Set([...last.evidence, ...window.evidence])].sort(),
      };
      continue;
    }
    merged.push({ ...window, hosts: [...new Set(window.hosts)].sort(), evidence: [...new Set(window.evidence)].sort() });
  }
  return merged;
}
