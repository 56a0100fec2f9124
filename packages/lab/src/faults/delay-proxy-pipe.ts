import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { drawHold, type Impairment } from './delay-proxy-impairment.js';

/** Counters for one direction, summed over every connection of a proxy. */
export interface DirectionStats {
  chunks: number;
  bytes: number;
  lostChunks: number;
  /** Bytes waiting in this direction's queues right now. */
  queuedBytes: number;
  /** The most bytes one connection's queue in this direction ever held. */
  queuedBytesHighWater: number;
  largestChunkBytes: number;
  /** How often a reading socket was paused because its queue was full. */
  backpressurePauses: number;
}

export function emptyDirectionStats(): DirectionStats {
  return { chunks: 0, bytes: 0, lostChunks: 0, queuedBytes: 0, queuedBytesHighWater: 0, largestChunkBytes: 0, backpressurePauses: 0 };
}

export interface DelayPipeOptions {
  /** Read for every chunk, so a live change applies to the next chunk that arrives. */
  readonly impairment: () => Impairment;
  readonly random: () => number;
  readonly maxBufferedBytes: number;
  readonly stats: DirectionStats;
}

interface QueuedChunk {
  readonly data: Buffer;
  readonly releaseAtMs: number;
}

/**
 * One direction of a proxied connection: chunks read from `source` wait in a
 * FIFO and are written to `sink` when their hold time is over. Release times
 * never decrease, so a later chunk never overtakes an earlier one, and a
 * stalled ("lost") chunk holds up everything behind it, as on a TCP stream.
 */
export class DelayPipe {
  private readonly queue: QueuedChunk[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastReleaseAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private sinkBlocked = false;
  private sourcePaused = false;
  private sourceEnded = false;
  private sinkEnded = false;
  private stopped = false;

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly options: DelayPipeOptions,
  ) {}

  /** True once the source ended and every queued byte was handed to the sink. */
  get finished(): boolean {
    return this.sourceEnded && this.queuedBytes === 0;
  }

  push(data: Buffer): void {
    if (this.stopped) return;
    const { stats } = this.options;
    const hold = drawHold(this.options.impairment(), this.options.random);
    const releaseAtMs = Math.max(performance.now() + hold.holdMs, this.lastReleaseAtMs);
    this.lastReleaseAtMs = releaseAtMs;
    this.queue.push({ data, releaseAtMs });
    this.queuedBytes += data.length;
    stats.queuedBytes += data.length;
    stats.chunks += 1;
    stats.bytes += data.length;
    if (hold.lost) stats.lostChunks += 1;
    stats.largestChunkBytes = Math.max(stats.largestChunkBytes, data.length);
    stats.queuedBytesHighWater = Math.max(stats.queuedBytesHighWater, this.queuedBytes);
    if (this.queuedBytes > this.options.maxBufferedBytes && !this.sourcePaused) {
      // A bounded queue: stop reading until the sink catches up; TCP flow control then slows the sender.
      this.sourcePaused = true;
      stats.backpressurePauses += 1;
      this.source.pause();
    }
    this.schedule();
  }

  /** The source sent FIN: pass it on once everything before it was released. */
  sourceEnd(): void {
    this.sourceEnded = true;
    if (this.queueLength() === 0) this.endSink();
  }

  /** Forget the queue; the sink is gone or the connection is being torn down. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.stats.queuedBytes -= this.queuedBytes;
    this.queuedBytes = 0;
    this.queue.length = 0;
    this.head = 0;
  }

  private queueLength(): number {
    return this.queue.length - this.head;
  }

  private schedule(): void {
    if (this.stopped || this.sinkBlocked || this.timer !== undefined) return;
    const next = this.queue[this.head];
    if (next === undefined) return;
    const waitMs = next.releaseAtMs - performance.now();
    this.timer = setTimeout(() => this.release(), Math.max(0, Math.ceil(waitMs)));
  }

  private release(): void {
    this.timer = undefined;
    const now = performance.now();
    while (!this.stopped && !this.sinkBlocked) {
      const next = this.queue[this.head];
      if (next === undefined || next.releaseAtMs > now) break;
      this.head += 1;
      this.queuedBytes -= next.data.length;
      this.options.stats.queuedBytes -= next.data.length;
      if (!this.sink.write(next.data)) {
        // The sink's own buffer is full: hold our queue (and so the source) until it drains.
        this.sinkBlocked = true;
        this.sink.once('drain', () => {
          this.sinkBlocked = false;
          this.release();
        });
      }
    }
    if (this.stopped) return;
    this.compact();
    if (this.sourcePaused && this.queuedBytes <= this.options.maxBufferedBytes / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
    if (this.queueLength() === 0 && this.sourceEnded) this.endSink();
    else this.schedule();
  }

  private endSink(): void {
    if (this.stopped || this.sinkEnded) return;
    this.sinkEnded = true;
    this.sink.end();
  }

  /** Drop released entries from the array now and then, so it does not grow forever. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
