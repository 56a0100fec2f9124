import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { withDeadline, type Clock } from '@tandem/core';

/**
 * Appends one JSON object per line. Each line goes out in a single write so a
 * crash can tear at most the last line (the reader skips it). When the
 * stream's buffer is full, `append` waits for it to drain (bounded by
 * drainTimeoutMs) rather than growing memory without limit.
 */
export class JsonlWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
    private readonly drainTimeoutMs = 10_000,
  ) {
    this.stream = createWriteStream(path, { flags: 'a', highWaterMark: 64 * 1024 });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async append(record: object): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.write(`${JSON.stringify(record)}\n`)) return;
    const drained = await withDeadline(this.clock, this.drainTimeoutMs, `flush ${this.path}`, () => once(this.stream, 'drain'));
    if (!drained.ok) throw new Error(`${drained.reason}: the output file does not keep up`);
  }

  /** Flush and close; resolves when the data is handed to the OS (or after timeoutMs). */
  async close(timeoutMs = 10_000): Promise<void> {
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await withDeadline(this.clock, timeoutMs, `close ${this.path}`, () => finished);
  }
}
