/**
 * Keeps a log readable when the same line would be written every cycle: the
 * first occurrence is logged, repeats are counted, and the line is logged
 * again (with the count) at most once per `windowMs`, or as soon as a
 * different line comes. An agent stuck on a full disk or a refused store
 * once wrote ~1,600 identical lines a second.
 */
export class RepeatFilter {
  private last: string | undefined;
  private lastLoggedAtMs = 0;
  private suppressed = 0;

  constructor(private readonly windowMs: number) {}

  /** Forget the last line (something else was logged): the next one is logged whatever it is. */
  reset(): void {
    this.last = undefined;
    this.suppressed = 0;
  }

  /** What to log for `line` now (the line, with how often it repeated since it was last logged), or undefined to skip it. */
  admit(line: string, nowMs: number): string | undefined {
    if (line !== this.last) {
      this.last = line;
      this.lastLoggedAtMs = nowMs;
      this.suppressed = 0;
      return line;
    }
    if (nowMs - this.lastLoggedAtMs < this.windowMs) {
      this.suppressed++;
      return undefined;
    }
    const repeats = this.suppressed;
    this.suppressed = 0;
    this.lastLoggedAtMs = nowMs;
    return repeats === 0 ? line : `${line} (repeated ${repeats} more time${repeats === 1 ? '' : 's'} since)`;
  }
}
