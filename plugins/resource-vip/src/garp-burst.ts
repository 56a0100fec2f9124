import type { Clock, CommandResult, CommandRunner } from '@tandem/core';
import { garpArgv, GARP_FORMS, type ArpingFlavour } from './arping-argv.js';

export interface GarpTarget {
  readonly flavour: ArpingFlavour;
  readonly iface: string;
  readonly ip: string;
}

export interface GarpSchedule {
  readonly count: number;
  readonly intervalMs: number;
}

/** One arping run that sends a single packet; none should take longer than this. */
const SEND_TIMEOUT_MS = 2000;

/** Habets' arping exits 1 when nobody replied, which is normal for a gratuitous ARP; an error also prints to stderr. */
function sent(result: CommandResult): boolean {
  return result.kind === 'exited' && (result.exitCode === 0 || (result.exitCode === 1 && result.stderr.trim() === ''));
}

function describe(result: CommandResult): string {
  if (result.kind === 'exited') return `exit ${result.exitCode}: ${result.stderr.trim().slice(0, 200) || result.stdout.trim().slice(0, 200)}`;
  if (result.kind === 'not-installed') return result.message;
  return result.kind;
}

/**
 * Repeated gratuitous ARP in both forms, like keepalived after a takeover:
 * Linux replaces a neighbour entry younger than locktime (1 s) only for a
 * true gratuitous request (sender = target = the VIP); a reply, or anything
 * arriving after locktime, moves it as well. The first round is sent before
 * `announce` returns; the others follow in the background, bounded by
 * count x (interval + send timeout), and `cancel` ends them early.
 */
export class GarpBurst {
  private running: { readonly controller: AbortController; readonly done: Promise<void> } | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
  ) {}

  /** Send the first round now; returns why it failed, or undefined when both forms went out. */
  async announce(target: GarpTarget, schedule: GarpSchedule, signal: AbortSignal): Promise<string | undefined> {
    await this.cancel();
    const first = await this.round(target, signal);
    if (schedule.count > 1 && !signal.aborted) {
      const controller = new AbortController();
      const rest = this.rest(target, schedule, controller.signal).catch(() => undefined);
      this.running = { controller, done: rest };
    }
    return first;
  }

  /** Stop the background rounds and wait for the arping in flight to end. */
  async cancel(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    running.controller.abort(new Error('gratuitous ARP burst cancelled'));
    await running.done;
  }

  /** Resolves when no background round is left (for runners that must not exit early). */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  get active(): boolean {
    return this.running !== undefined;
  }

  private async rest(target: GarpTarget, schedule: GarpSchedule, signal: AbortSignal): Promise<void> {
    try {
      for (let i = 1; i < schedule.count; i += 1) {
        await this.clock.sleep(schedule.intervalMs, signal);
        await this.round(target, signal);
      }
    } finally {
      if (this.running?.controller.signal === signal) this.running = undefined;
    }
  }

  private async round(target: GarpTarget, signal: AbortSignal): Promise<string | undefined> {
    const results = await Promise.all(
      GARP_FORMS.map((form) =>
        this.runner.run({ file: 'arping', args: garpArgv(target.flavour, form, target.iface, target.ip), timeoutMs: SEND_TIMEOUT_MS, signal }),
      ),
    );
    const failures = results.map((r, i) => (sent(r) ? undefined : `${GARP_FORMS[i]}: ${describe(r)}`)).filter((f) => f !== undefined);
    return failures.length > 0 ? failures.join('; ') : undefined;
  }
}
