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
 * The mirrored volume as a resource with roles: started (logged in to both LUNs) on every node,
 * promoted (assembled, mounted) on the primary only, demoted back to logged-in. A degraded mirror
 * keeps serving: monitor says ok, names the missing member, and re-adds it once its LUN is back.
 */
export class VolumeAgent implements ResourceAgent {
  readonly defaultTimeoutsMs = { start: 60_000, promote: 120_000, demote: 60_000, stop: 60_000, monitor: 30_000 };
  /** Whether this agent started the volume and has not stopped it since: absent then is a failure. */
  private shouldRun = false;

  constructor(private readonly volume: MirrorVolume) {}

  /** Every node: log in to both LUNs. A standby needs the sessions to fence and to check the array before it takes over. */
  async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `start ${this.volume.md.device}: abandoned before starting`);
    const up = await this.volume.connect(ctx);
    return up.ok ? ok(up.value) : up.outcome;
  }

  /** The primary: assemble (never create) and mount. */
  async promote(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `promote ${this.volume.md.device}: abandoned before starting`);
    const up = await this.volume.bringUp(ctx);
    if (up.ok) {
      this.shouldRun = true;
      return ok(up.value);
    }
    if (up.outcome.code === 'timeout' || ctx.signal.aborted) {
      // The caller believes promote did not happen: leave nothing assembled behind.
      const undo = await this.volume.release(freshContext());
      const after = undo.ok ? 'undone' : `NOT undone (${undo.outcome.reason})`;
      return outcome('timeout', `${up.outcome.reason}; promote ${after}`);
    }
    return up.outcome;
  }

  /** Back to standby: unmount and stop the array, stay logged in. */
  async demote(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `demote ${this.volume.md.device}: abandoned before stopping`);
    const down = await this.volume.release(ctx);
    if (!down.ok) return down.outcome;
    this.shouldRun = false;
    return ok(`${down.value}; still logged in`);
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
      if (this.shouldRun) return outcome('failed', `${status.device} is not assembled although it was promoted here`);
      const logged = seen.value.sessions.length;
      return logged > 0 ? ok(`standby: logged in to ${logged} LUN(s), ${status.device} not assembled here`, { role: 'replica', volume: status }) : outcome('not-running', `${status.device} is not assembled on this node and no LUN is logged in`);
    }
    if (status.state === 'inactive') return outcome('failed', `${status.device} (${status.kernelName ?? '?'}) is inactive: assembled but not running; stop it (mdadm --stop) and start the resource again`);
    const mounted = await this.volume.md.mounted(ctx);
    if (!mounted.ok) return withoutData(mounted.outcome);
    if (this.volume.mountConfigured && !mounted.value) return outcome('failed', `${describeStatus(status)}, but not mounted`);
    const healed = await this.volume.heal(ctx, seen.value);
    if (!healed.ok) return withoutData(healed.outcome);
    const notes = healed.value.length > 0 ? `; ${healed.value.join('; ')}` : '';
    const data: VolumeResourceState = { role: 'primary', volume: status, ...(status.degraded ? { degraded: status.degraded } : {}) };
    return ok(`${describeStatus(status)}${status.degraded ? ` (${status.degraded}, still serving)` : ''}${notes}`, data);
  }
}

function freshContext(): CallContext {
  return { signal: AbortSignal.timeout(UNDO_TIMEOUT_MS), timeoutMs: UNDO_TIMEOUT_MS };
}
