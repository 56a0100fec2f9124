/**
 * Readers for sg_persist's PR IN text (sg3-utils). sg_persist prints keys as
 * `0x` and hex without leading zeros, one per line after the header; the
 * reservation as `Key=0x…` then `scope: …,  type: …`. Anything else on the
 * page (the INQUIRY header when `--no-inquiry` is missing) is skipped.
 */

export interface ReadKeys {
  readonly generation: number;
  readonly keys: readonly bigint[];
}

export interface ReadReservation {
  readonly generation: number;
  /** Undefined when "there is NO reservation held". */
  readonly holder?: { readonly key: bigint; readonly type: string };
}

const GENERATION = /PR generation=0x([0-9a-f]+)/i;

/** `sg_persist --in --read-keys`; undefined when the text is not a read-keys answer. */
export function parseReadKeys(stdout: string): ReadKeys | undefined {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => GENERATION.test(l));
  if (at < 0) return undefined;
  const header = lines[at]!;
  const generation = parseInt(GENERATION.exec(header)![1]!, 16);
  if (/NO registered reservation keys/i.test(header)) return { generation, keys: [] };
  const announced = /(\d+) registered reservation keys? follows?/i.exec(header);
  if (!announced) return undefined;
  const keys = lines
    .slice(at + 1)
    .map((l) => /^\s*0x([0-9a-f]{1,16})\s*$/i.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => BigInt(`0x${m[1]}`));
  // A short list means the answer was cut off (allocation length): do not decide on half a table.
  if (keys.length !== Number(announced[1])) return undefined;
  return { generation, keys };
}

/** `sg_persist --in --read-reservation`; undefined when the text is not a read-reservation answer. */
export function parseReadReservation(stdout: string): ReadReservation | undefined {
  const g = GENERATION.exec(stdout);
  if (!g) return undefined;
  const generation = parseInt(g[1]!, 16);
  if (/there is NO reservation held/i.test(stdout)) return { generation };
  const key = /Key\s*=\s*0x([0-9a-f]{1,16})/i.exec(stdout);
  const type = /type\s*[:=]\s*(.+?)\s*$/im.exec(stdout);
  if (!key || !type) return undefined;
  return { generation, holder: { key: BigInt(`0x${key[1]}`), type: type[1]! } };
}

/** sg_persist's words for the two reservation types this plugin uses (its pr_type_strs). */
export const TYPE_NAMES: Readonly<Record<5 | 6, string>> = {
  5: 'Write Exclusive, registrants only',
  6: 'Exclusive Access, registrants only',
};
