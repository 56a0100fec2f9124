import { ok, outcome, type CallContext, type Outcome, type ResourceAgent, type ResourceCallContext, type ResourceState } from '@tandem/core';
import type { MirrorVolume } from './mirror-volume.js';
import { withoutData } from './step.js';
import { describeStatus, type VolumeStatus } from './volume-status.js';

/**
 * What monitor reports. `degraded` mirrors the optional field core's ResourceState is getting
 * ("serving, with less redundancy than configured"); it is declared here too so this plugin builds
 * against a core that does not have it yet.
 */
export interface VolumeResourceState extends ResourceState {
  readonly degraded?: string;
  readonly volume: VolumeStatus;
}

/** How long undoing a start that ran out of time may take; the caller has already given up on it. */
const UNDO_TIMEOUT_MS = 60_000;

/**
 * The mirrored volume as a resource without roles: started (logged in, assembled, mounted) on the
 * primary, stopped elsewhere. A degraded mirror keeps serving: monitor says ok, names the missing
 * member, and re-adds it once its LUN is back.
 */
export class VolumeAgent implements ResourceAgent {
  readonly defaultTimeoutsMs = { start: 120_000, stop: 60_000, monitor: 30_000 };
  /** Whether this agent started the volume and has not stopped it since: absent then is a failure. */
  private shouldRun = false;

  constructor(private readonly volume: MirrorVolume) {}

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `start ${this.volume.md.device}: abandoned before starting`);
    const up = await this.volume.bringUp(ctx);
    if (up.ok) {
      this.shouldRun = true;
      return ok(up.value);
    }
    if (up.outcome.code === 'timeout' || ctx.signal.aborted) {
      // The caller believes start did not happen: leave nothing half-started behind.
      const undo = await this.volume.takeDown(freshContext());
      const after = undo.ok ? 'undone' : `NOT undone (${undo.outcome.reason})`;
      return outcome('timeout', `${up.outcome.reason}; start ${after}`);
    }
    return up.outcome;
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `stop ${this.volume.md.device}: abandoned before stopping`);
    const down = await this.volume.takeDown(ctx);
    if (!down.ok) return down.outcome;
    this.shouldRun = false;
    return ok(down.value);
  }

  async monitor(ctx: ResourceCallContext): Promise<Outcome<VolumeResourceState>> {
    if (ctx.signal.aborted) return outcome('timeout', `monitor ${this.volume.md.device}: abandoned`);
    const seen = await this.volume.observe(ctx);
    if (!seen.ok) return withoutData(seen.outcome);
    const status = seen.value.status;
    if (status.state === 'absent') {
      return this.shouldRun ? outcome('failed', `${status.device} is not assembled although it was started`) : outcome('not-running', `${status.device} is not assembled on this node`);
    }
    if (status.state === 'inactive') return outcome('failed', `${status.device} (${status.kernelName ?? '?'}) is inactive: assembled but not running; stop it (mdadm --stop) and start the resource again`);
    const mounted = await this.volume.md.mounted(ctx);
    if (!mounted.ok) return withoutData(mounted.outcome);
    if (this.volume.mountConfigured && !mounted.value) return outcome('failed', `${describeStatus(status)}, but not mounted`);
    const healed = await this.volume.heal(ctx, seen.value);
    if (!healed.ok) return withoutData(healed.outcome);
    const notes = healed.value.length > 0 ? `; ${healed.value.join('; ')}` : '';
    const data: VolumeResourceState = { role: 'none', volume: status, ...(status.degraded ? { degraded: status.degraded } : {}) };
    return ok(`${describeStatus(status)}${status.degraded ? ` (${status.degraded}, still serving)` : ''}${notes}`, data);
  }
}

function freshContext(): CallContext {
  return { signal: AbortSignal.timeout(UNDO_TIMEOUT_MS), timeoutMs: UNDO_TIMEOUT_MS };
}
