/**
 * What the delay proxy does to each chunk: a base delay, a uniform jitter and
 * a chance of "loss". TCP hides a lost segment from the application: the
 * sender retransmits it after a timeout and the receiver's stream stalls
 * until it arrives. So a lost chunk is not dropped here; it is held an extra
 * retransmitMs, and because each direction is a FIFO every chunk behind it
 * waits too, which is what an application sees on a lossy link.
 */
export interface Impairment {
  readonly delayMs: number;
  /** Each chunk gets an extra delay drawn uniformly from [0, jitterMs]. */
  readonly jitterMs: number;
  /** 0-100: the chance that a chunk is "lost" and stalls its direction. */
  readonly lossPercent: number;
  /** The stall a lost chunk causes, like a TCP retransmission timeout. */
  readonly retransmitMs: number;
}

export const DEFAULT_RETRANSMIT_MS = 200;

/** Throws an Error naming the field when a value cannot describe a link. */
export function validateImpairment(impairment: Impairment): Impairment {
  const check = (field: keyof Impairment, max: number): void => {
    const value = impairment[field];
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw new RangeError(`${field} must be a number from 0 to ${max}, got ${String(value)}`);
    }
  };
  check('delayMs', 600_000);
  check('jitterMs', 600_000);
  check('lossPercent', 100);
  check('retransmitMs', 600_000);
  return impairment;
}

/**
 * A small seeded generator (mulberry32) so that a seed replays the same
 * jitter and loss pattern; not for anything needing statistical quality.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChunkHold {
  readonly holdMs: number;
  readonly lost: boolean;
}

/** How long one chunk is held before release, drawn from `random` (values in [0, 1)). */
export function drawHold(impairment: Impairment, random: () => number): ChunkHold {
  const jitter = impairment.jitterMs > 0 ? random() * impairment.jitterMs : 0;
  const lost = impairment.lossPercent > 0 && random() * 100 < impairment.lossPercent;
  return { holdMs: impairment.delayMs + jitter + (lost ? impairment.retransmitMs : 0), lost };
}
