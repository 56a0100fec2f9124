import type { CallContext, Clock, CommandRunner, NodeInfo } from '@tandem/core';
import { decideAssembly, type ExaminedMember } from './assembly-decision.js';
import { HostCommands } from './host-commands.js';
import { IscsiInitiator } from './iscsi-initiator.js';
import { MdArray } from './md-array.js';
import type { VolumeOptions } from './options.js';
import type { IscsiSession } from './parse-sessions.js';
import { done, stop, type Step } from './step.js';
import { describeStatus, type VolumeStatus } from './volume-status.js';

/** What this node sees now: sessions, each array's disk, and the md array's status. */
export interface Observation {
  readonly sessions: readonly IscsiSession[];
  readonly disks: ReadonlyMap<string, string | undefined>;
  readonly status: VolumeStatus;
}

export interface MirrorVolumeDeps {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  /** The CHAP password (or a placeholder when planning); undefined without CHAP. */
  readonly chapPassword: () => string | undefined;
}

/**
 * The mirrored volume on one cluster node: the sequence that brings it up (log in, examine, decide,
 * assemble or create, mount), takes it down (unmount, stop, log out) and heals it (re-add a returned
 * member). The resource agent, `tandem volume apply` and `tandem volume plan` all run this one sequence.
 */
export class MirrorVolume {
  readonly initiator: IscsiInitiator;
  readonly md: MdArray;

  constructor(
    private readonly options: VolumeOptions,
    node: NodeInfo,
    deps: MirrorVolumeDeps,
  ) {
    const sh = new HostCommands(deps.runner, options.commandTimeoutMs);
    this.initiator = new IscsiInitiator(options, node, sh, deps.clock, deps.chapPassword);
    this.md = new MdArray(options, sh);
  }

  get mountConfigured(): boolean {
    return this.options.mount !== undefined;
  }

  async observe(ctx: CallContext): Promise<Step<Observation>> {
    const sessions = await this.initiator.sessions(ctx);
    if (!sessions.ok) return sessions;
    const disks = this.initiator.disks(sessions.value);
    const status = await this.md.status(ctx, disks);
    if (!status.ok) return status;
    return done({ sessions: sessions.value, disks, status: status.value });
  }

  /**
   * A standby's part: logged in to both LUNs, nothing assembled. The standby then sees the members
   * (to check the array's identity) and the LUNs' reservations (to fence), and takes over faster.
   */
  async connect(ctx: CallContext): Promise<Step<string>> {
    const logged = await this.logIn(ctx);
    if (!logged.ok) return logged;
    return done(`logged in to ${logged.value.sessions.length} LUN(s), nothing assembled${logged.value.notes}`);
  }

  /** iface bound to the storage NIC, logins to both storage hosts, and their disks attached; one sequence for connect and bringUp. */
  private async logIn(ctx: CallContext): Promise<Step<{ sessions: IscsiSession[]; notes: string }>> {
    const prepared = await this.initiator.prepare(ctx);
    if (!prepared.ok) return prepared;
    const logins = await this.initiator.loginAll(ctx);
    if (!logins.ok) return logins;
    const sessions = await this.initiator.waitForDisks(ctx);
    if (!sessions.ok) return sessions;
    return done({ sessions: sessions.value, notes: logins.value.notes.length > 0 ? `; not logged in: ${logins.value.notes.join('; ')}` : '' });
  }

  /** Log in and assemble (or, with `create`, create) the array, then mount it. Running it again is ok. */
  async bringUp(ctx: CallContext, create = false): Promise<Step<string>> {
    const seen = await this.observe(ctx);
    if (!seen.ok) return seen;
    const state = seen.value.status.state;
    if (state !== 'absent' && state !== 'inactive') {
      if (create) return stop('config-error', `${this.md.device} is already running (${describeStatus(seen.value.status)}); --create only makes a new array, it never touches a running one`);
      const mounted = await this.ensureMounted(ctx);
      return mounted.ok ? done(`already running: ${describeStatus(seen.value.status)}`) : mounted;
    }
    if (state === 'inactive' && seen.value.status.kernelName) {
      // A half-assembled array (an earlier attempt, or udev's incremental assembly) holds the disks: release them.
      const released = await this.md.stopArray(ctx, seen.value.status.kernelName);
      if (!released.ok) return released;
    }
    const logged = await this.logIn(ctx);
    if (!logged.ok) return logged;
    const members = await this.examineAll(ctx, this.initiator.disks(logged.value.sessions));
    if (!members.ok) return members;
    const built = create ? await this.create(ctx, members.value) : await this.assemble(ctx, members.value);
    // A refused assembly names why the LUNs were not logged in (a CHAP refusal, a portal that does not answer).
    if (!built.ok) return logged.value.notes ? stop(built.outcome.code, `${built.outcome.reason}${logged.value.notes}`) : built;
    const mounted = await this.ensureMounted(ctx);
    if (!mounted.ok) return mounted;
    const after = await this.observe(ctx);
    if (!after.ok) return after;
    return done(`${built.value}; ${describeStatus(after.value.status)}${logged.value.notes}`);
  }

  private async examineAll(ctx: CallContext, disks: ReadonlyMap<string, string | undefined>): Promise<Step<ExaminedMember[]>> {
    const out: ExaminedMember[] = [];
    for (const array of this.options.arrays) {
      const disk = disks.get(array.name);
      if (!disk) {
        out.push({ array: array.name, device: undefined, superblock: undefined });
        continue;
      }
      const sb = await this.md.examine(ctx, `/dev/${disk}`);
      if (!sb.ok) return sb;
      out.push({ array: array.name, device: `/dev/${disk}`, superblock: sb.value });
    }
    return done(out);
  }

  private async assemble(ctx: CallContext, members: readonly ExaminedMember[]): Promise<Step<string>> {
    const decision = decideAssembly(members, { arrayUuid: this.options.arrayUuid, allowDegradedTakeover: this.options.allowDegradedTakeover, mdDevice: this.md.device });
    if (decision.kind === 'refuse') return stop(decision.code, decision.reason);
    const assembled = await this.md.assemble(ctx, decision.devices);
    return assembled.ok ? done(`assembled ${this.md.device} (${decision.note})`) : assembled;
  }

  /** Create is explicit and refused when any member already carries an md superblock, whichever array it names. */
  private async create(ctx: CallContext, members: readonly ExaminedMember[]): Promise<Step<string>> {
    const missing = members.filter((m) => m.device === undefined);
    if (missing.length > 0) return stop('failed', `cannot create ${this.md.device}: ${missing.map((m) => m.array).join(', ')} not logged in; both LUNs are needed`);
    const used = members.filter((m) => m.superblock !== 'none');
    if (used.length > 0) {
      const which = used.map((m) => `${m.device!} (${m.array}) already belongs to md array ${m.superblock === 'none' || m.superblock === undefined ? '?' : m.superblock.arrayUuid}`).join('; ');
      return stop('config-error', `refusing to create ${this.md.device}: ${which}. Assemble it with \`tandem volume apply\` (without --create); wipe a member only after checking it holds nothing you need (mdadm --zero-superblock)`);
    }
    const created = await this.md.create(ctx, members.map((m) => m.device!));
    return created.ok ? done(`created ${this.md.device} from ${members.map((m) => `${m.array} ${m.device!}`).join(' and ')}`) : created;
  }

  private async ensureMounted(ctx: CallContext): Promise<Step<void>> {
    if (!this.options.mount) return done(undefined);
    const mounted = await this.md.mounted(ctx);
    if (!mounted.ok) return mounted;
    return mounted.value ? done(undefined) : this.md.mount(ctx);
  }

  /** Unmount and stop the array, staying logged in (a demoted primary becomes a standby). */
  async release(ctx: CallContext): Promise<Step<string>> {
    const seen = await this.observe(ctx);
    if (!seen.ok) return seen;
    const mounted = await this.md.mounted(ctx);
    if (!mounted.ok) return mounted;
    if (mounted.value) {
      const un = await this.md.umount(ctx);
      if (!un.ok) return un;
    }
    const kernelName = seen.value.status.kernelName;
    if (kernelName) {
      const stopped = await this.md.stopArray(ctx, kernelName);
      if (!stopped.ok) return stopped;
    }
    return done(kernelName ? `${this.md.device} (${kernelName}) stopped` : `${this.md.device} was not running`);
  }

  /** Unmount, stop the array, log out. Each step is skipped when already done. */
  async takeDown(ctx: CallContext): Promise<Step<string>> {
    const released = await this.release(ctx);
    if (!released.ok) return released;
    const out = await this.initiator.logoutAll(ctx);
    if (!out.ok) return out;
    return done(`${released.value}; logged out`);
  }

  /**
   * On a degraded array, bring back each member whose LUN is logged in again. The member returning is
   * always the one overwritten: it joins the running array, which copies to it.
   */
  async heal(ctx: CallContext, seen: Observation): Promise<Step<string[]>> {
    if (seen.status.state !== 'degraded') return done([]);
    const notes: string[] = [];
    for (const member of seen.status.members) {
      if (member.state !== 'missing' && member.state !== 'faulty') continue;
      const disk = seen.disks.get(member.array);
      if (!disk) continue;
      const sb = await this.md.examine(ctx, `/dev/${disk}`);
      if (!sb.ok) return sb;
      if (sb.value !== 'none' && sb.value.arrayUuid !== this.options.arrayUuid) {
        notes.push(`${member.array} (/dev/${disk}) is back but belongs to md array ${sb.value.arrayUuid}, not ${this.options.arrayUuid}; not used`);
        continue;
      }
      const back = await this.md.bringBack(ctx, `/dev/${disk}`, member.state === 'faulty');
      if (!back.ok) return back;
      notes.push(`${member.array} ${back.value} (/dev/${disk}); resync from the running array`);
    }
    return done(notes);
  }
}
