/** A member as /proc/mdstat lists it: `sdc[1](F)`. */
export interface MdstatMember {
  readonly device: string;
  /** The number in brackets: the member's index in the array (not its slot). */
  readonly index: number;
  readonly faulty: boolean;
  readonly spare: boolean;
}

export interface MdstatProgress {
  readonly action: 'recovery' | 'resync' | 'check' | 'reshape';
  readonly percent: number;
  readonly finishMinutes: number | undefined;
  readonly speedKiBs: number | undefined;
}

/** One array's paragraph of /proc/mdstat. */
export interface MdstatArray {
  /** Kernel name: `md127`. */
  readonly name: string;
  readonly active: boolean;
  readonly level: string | undefined;
  readonly members: readonly MdstatMember[];
  /** `[2/1]`: slots, and slots with an in-sync member. */
  readonly slots: number | undefined;
  readonly inSync: number | undefined;
  /** `[U_]`: one letter per slot, U in sync, _ missing or rebuilding. */
  readonly slotMap: string | undefined;
  readonly progress: MdstatProgress | undefined;
  /** `resync=DELAYED` / `resync=PENDING`: a resync that is due but has not started. */
  readonly pending: boolean;
}

const HEAD = /^(md\w+)\s*:\s*(active|inactive)(?:\s+\(read-only\)|\s+\(auto-read-only\))?\s*(.*)$/;
const MEMBER = /^(\S+?)\[(\d+)\]((?:\([A-Z]\))*)$/;
const PROGRESS = /(recovery|resync|check|reshape)\s*=\s*([\d.]+)%.*?(?:finish=([\d.]+)min)?\s*(?:speed=(\d+)K\/sec)?\s*$/;

/**
 * Parse /proc/mdstat: one paragraph per array, its head line (`md127 : active raid1 sdc[1] sdb[0]`)
 * followed by indented lines with `[2/2] [UU]`, the progress bar
 * (`recovery = 12.6% (132096/1046528) finish=0.5min speed=26419K/sec`) and the bitmap.
 */
export function parseMdstat(text: string): MdstatArray[] {
  const arrays: MdstatArray[] = [];
  let cur: { -readonly [K in keyof MdstatArray]: MdstatArray[K] } | undefined;
  for (const raw of text.split('\n')) {
    const head = HEAD.exec(raw.trim());
    if (head && !/^\s/.test(raw)) {
      if (cur) arrays.push(cur);
      const words = head[3]!.split(/\s+/).filter((w) => w !== '');
      const level = words[0] !== undefined && !MEMBER.test(words[0]) ? words.shift() : undefined;
      cur = { name: head[1]!, active: head[2] === 'active', level, members: words.flatMap(member), slots: undefined, inSync: undefined, slotMap: undefined, progress: undefined, pending: false };
      continue;
    }
    if (!cur || !/^\s/.test(raw)) {
      if (cur && raw.trim() === '') {
        arrays.push(cur);
        cur = undefined;
      }
      continue;
    }
    const counts = /\[(\d+)\/(\d+)\]\s*\[([U_]+)\]/.exec(raw);
    if (counts) {
      cur.slots = Number(counts[1]);
      cur.inSync = Number(counts[2]);
      cur.slotMap = counts[3];
    }
    const p = PROGRESS.exec(raw.trim());
    if (p) {
      cur.progress = {
        action: p[1] as MdstatProgress['action'],
        percent: Number(p[2]),
        finishMinutes: p[3] === undefined ? undefined : Number(p[3]),
        speedKiBs: p[4] === undefined ? undefined : Number(p[4]),
      };
    }
    if (/(resync|recovery)\s*=\s*(DELAYED|PENDING)/.test(raw)) cur.pending = true;
  }
  if (cur) arrays.push(cur);
  return arrays;
}

function member(word: string): MdstatMember[] {
  const m = MEMBER.exec(word);
  if (!m) return [];
  const flags = m[3] ?? '';
  return [{ device: m[1]!, index: Number(m[2]), faulty: flags.includes('(F)'), spare: flags.includes('(S)') }];
}
