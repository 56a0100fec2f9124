import { ok, outcome, type CallContext, type Clock, type CommandRunner, type InFlight, type NodeInfo, type Outcome, type ReplicationTransport, type TransportStartContext, type TransportStatus } from '@tandem/core';
import { deadlineOf } from '@tandem/plugin-resource-postgres';
import { formatLsn, parseLsn, positionOf, type LocalServer, type WalTools } from '@tandem/plugin-transport-wal-mirror';
import { HostShell } from './host-shell.js';
import { walDirOf, type BlockMirrorOptions } from './options.js';
import { PrimarySide } from './primary-side.js';
import { done, refused, StandbySide, type Step } from './standby-side.js';
import { scanWalEnd, stageRange } from './wal-scan.js';

const aborted = <D>(what: string): Outcome<D> => outcome('timeout', `${what}: the caller gave up before it started`);
const fromStep = <D>(s: Extract<Step<unknown>, { ok: false }>, what: string): Outcome<D> => outcome(s.code, `${what}: ${s.why}`);

export interface Cluster {
  readonly self: NodeInfo;
  readonly nodes: readonly NodeInfo[];
}

/**
 * A block-level WAL mirror: the primary's pg_wal lives on an md RAID-1 of
 * its own disk and the standby's disk exported over iSCSI, so a WAL fsync
 * returns only once the standby's disk has the bytes. No walsender, no
 * receiving process: the kernel mirrors. On the standby, after the primary
 * died and was fenced, `takeOver` assembles the standby's member read-only
 * and `inFlight` finds where the WAL on it ends and stages the range the
 * standby has not replayed for recovery-compensate.
 */
export class BlockMirrorTransport implements ReplicationTransport {
  readonly defaultTimeoutMs = 300_000;
  readonly standby: StandbySide;
  readonly primary: PrimarySide;

  constructor(
    readonly options: BlockMirrorOptions,
    private readonly runner: CommandRunner,
    private readonly tools: WalTools,
    private readonly cluster: Cluster,
    private readonly clock: Clock,
  ) {
    const peers = cluster.nodes.filter((n) => n.name !== cluster.self.name);
    this.standby = new StandbySide(options, cluster.self, peers);
    this.primary = new PrimarySide(options, cluster.self, clock);
  }

  get localServer(): LocalServer {
    const pw = this.options.standbyPassword;
    return { ...this.options.standby, password: pw === undefined ? undefined : () => pw.reveal() };
  }

  private shell(ctx: CallContext): HostShell {
    return new HostShell(this.runner, this.options.commandTimeoutMs, deadlineOf(this.clock, ctx.timeoutMs, ctx.signal));
  }

  /** The node at the other end: the standby when this node is the primary. Two-node clusters only. */
  private peer(): NodeInfo | undefined {
    const others = this.cluster.nodes.filter((n) => n.name !== this.cluster.self.name);
    return others.length === 1 ? others[0] : undefined;
  }

  /** A replica (the caller names another node as primary) exports its disk; the primary assembles the mirror. */
  async start(ctx: TransportStartContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('start');
    const sh = this.shell(ctx);
    if (ctx.primary !== undefined && ctx.primary.name !== this.cluster.self.name) {
      const r = await this.standby.export(sh);
      return r.ok ? ok(r.value) : fromStep(r, `exporting the WAL disk for ${ctx.primary.name}`);
    }
    const peer = this.peer();
    if (peer === undefined) return outcome('config-error', `transport-block-mirror mirrors between two nodes; this cluster has ${this.cluster.nodes.length}`);
    const r = await this.primary.start(sh, peer);
    return r.ok ? ok(r.value) : fromStep(r, `assembling the WAL mirror with ${peer.name}'s disk`);
  }

  /**
   * The core's primary-side hook, before the database starts on a node being
   * promoted: log in to the peer's LUN, assemble the RAID-1, mount pg_wal's
   * filesystem. With `dataDir` set, a node whose pg_wal is its own (it was
   * promoted by a takeover) has nothing to assemble and says so.
   */
  async startSource(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('startSource');
    const sh = this.shell(ctx);
    const local = await this.localWal(sh);
    if (!local.ok) return fromStep(local, 'startSource');
    if (local.value !== undefined) return ok(local.value);
    return this.start(ctx);
  }

  /** Undo `startSource` only: unmount, stop the array, log out. An export or a taken-over member is left alone. */
  async stopSource(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('stopSource');
    const sh = this.shell(ctx);
    const v = await this.standby.view(sh);
    if (!v.ok) return fromStep(v, 'stopSource');
    if (v.value.mounted === 'ro' || (v.value.assembled && v.value.readOnly)) return ok('the WAL mirror is taken over read-only here, not the primary side: nothing to release');
    const r = await this.primary.stop(sh, this.peer());
    return r.ok ? ok(r.value) : fromStep(r, 'releasing the primary side of the WAL mirror');
  }

  /** Why this node's WAL is not on the mirror (its pg_wal is not a link into mountPath), or undefined when it is or no dataDir is set. */
  private async localWal(sh: HostShell): Promise<Step<string | undefined>> {
    const { dataDir, mountPath } = this.options;
    if (dataDir === undefined) return done(undefined);
    const link = `${dataDir.replace(/\/+$/, '')}/pg_wal`;
    const r = await sh.run(['readlink', '-m', link], { readOnly: true });
    if (!r.ok) return refused(`readlink ${link}: ${r.outcome.reason}`, r.outcome.code === 'timeout' ? 'timeout' : 'failed');
    const target = r.stdout.trim();
    const inside = target.startsWith(`${mountPath.replace(/\/+$/, '')}/`);
    return done(inside ? undefined : `${link} is ${target}, not on the mirror (${mountPath}): this node's WAL is local, nothing to assemble; commits are on this host's disk only until the mirror is set up in this direction (README, "After a failover")`);
  }

  /** Whatever this node does, undo it: stop exporting, release a takeover, or (primary) unmount and stop the array. */
  async stop(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('stop');
    const sh = this.shell(ctx);
    const v = await this.standby.view(sh);
    if (!v.ok) return fromStep(v, 'stop');
    if (v.value.mounted === 'rw') {
      const r = await this.primary.stop(sh, this.peer());
      return r.ok ? ok(r.value) : fromStep(r, 'stopping the mirror on the primary');
    }
    const released = v.value.assembled || v.value.mounted === 'ro' ? await this.standby.release(sh) : undefined;
    if (released !== undefined && !released.ok) return fromStep(released, 'releasing the taken-over member');
    const r = await this.standby.unexport(sh);
    if (!r.ok) return fromStep(r, 'stop exporting');
    return ok([released?.value, r.value].filter(Boolean).join('; '));
  }

  async status(ctx: CallContext): Promise<Outcome<TransportStatus>> {
    if (ctx.signal.aborted) return aborted('status');
    const sh = this.shell(ctx);
    const v = await this.standby.view(sh);
    if (!v.ok) return fromStep(v, 'status');
    if (v.value.mounted === 'rw' || (v.value.assembled && !v.value.readOnly)) {
      const s = await this.primary.state(sh);
      if (!s.ok) return fromStep(s, 'status');
      if (!s.value.inSync) return ok(`primary side: mirror NOT in sync (${s.value.members.length} active member(s)${s.value.progress ? `, ${s.value.progress}` : ''}): commits are not on the standby's disk`, { role: 'source' });
      const q = await this.tools.queryLocal(this.localServer, 'select pg_current_wal_flush_lsn()', sh.deadline);
      const flushed = q.ok ? parseLsn(q.stdout) : undefined;
      if (flushed === undefined) return ok(`primary side: mirror in sync; flush position unknown (${q.ok ? `answer "${q.stdout.slice(0, 40)}"` : q.outcome.reason})`, { role: 'source' });
      return ok(`primary side: mirror in sync, WAL flushed to ${formatLsn(flushed)} on both disks`, { role: 'source', flushed: positionOf(flushed) });
    }
    if (v.value.assembled || v.value.mounted === 'ro') return ok(`taken over: the standby's member is assembled read-only${v.value.mounted === 'ro' ? ` on ${this.options.mountPath}` : ''}; inFlight stages its WAL`, { role: 'sink' });
    if (v.value.exported) return ok(`standby side: ${this.options.localDevice} exported as ${this.standby.targetIqn}`, { role: 'sink' });
    return outcome('not-running', 'the WAL disk is neither exported nor assembled here');
  }

  /**
   * Before any fence: could a takeover run here? The standby's member must
   * be exported to the primary (the mirror is armed) or already taken over;
   * `inFlight` itself can only read it after fencing and `takeOver`. Read-only.
   */
  async readiness(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('readiness');
    const v = await this.standby.view(this.shell(ctx));
    if (!v.ok) return fromStep(v, 'readiness');
    if (v.value.mounted === 'rw') return outcome('failed', 'this node holds the mirror read-write: it is the primary, there is nothing in flight to hand over');
    if (v.value.exported || v.value.assembled || v.value.mounted === 'ro') return ok(`the standby's member ${this.options.localDevice} is here; a takeover (after fencing) can read its WAL`);
    return outcome('failed', `the WAL disk ${this.options.localDevice} is neither exported nor taken over here: nothing in flight could be read after a takeover`);
  }

  /**
   * After `takeOver`: the WAL on the standby's member beyond the local
   * server's replay position, staged in `stagingDir` (where
   * recovery-compensate reads it). Reads only this host: the primary may
   * be dead. `failed` while the disk is still exported (the primary may
   * still be writing it) or when the WAL cannot be read.
   */
  async inFlight(ctx: CallContext): Promise<Outcome<InFlight>> {
    if (ctx.signal.aborted) return aborted('inFlight');
    const sh = this.shell(ctx);
    const v = await this.standby.view(sh);
    if (!v.ok) return fromStep(v, 'inFlight');
    if (v.value.mounted === 'rw') return outcome('failed', 'this node holds the mirror read-write: it is the primary, there is nothing in flight to hand over');
    if (v.value.mounted !== 'ro') return outcome('failed', v.value.exported ? `the WAL disk is still exported to the primary (it may be writing it): run the takeover (after fencing) before reading it` : `the WAL mirror is not taken over on this node (${this.options.mountPath} is not mounted read-only)`);
    const q = await this.tools.queryLocal(this.localServer, 'select pg_last_wal_replay_lsn(), pg_last_wal_receive_lsn()', sh.deadline);
    if (!q.ok) return outcome('failed', `cannot read the standby's replay position: ${q.outcome.reason}`);
    const [replayText = '', receivedText = ''] = q.stdout.split('|');
    const replay = parseLsn(replayText);
    if (replay === undefined) return outcome('failed', `the local server is not in recovery (replay position "${replayText}"): there is no replay position to start from`);
    const walDir = walDirOf(this.options);
    const end = await scanWalEnd(sh, this.tools.bin('pg_waldump'), walDir, { replay, received: parseLsn(receivedText) }, `${this.options.stagingDir}.scan`);
    if (!end.ok) return outcome(end.timeout ? 'timeout' : 'failed', `the WAL on the mirror is unreadable: ${end.why}`);
    const staged = await stageRange(sh, walDir, this.options.stagingDir, this.options.osUser, end.value);
    if (!staged.ok) return outcome(staged.timeout ? 'timeout' : 'failed', staged.why);
    const from = positionOf(Math.min(replay, end.value.end));
    const to = positionOf(end.value.end);
    const scanned = end.value.from === replay ? '' : ` (the mirror's copy from ${formatLsn(end.value.from)}, where reception stopped; the standby's pg_wal has the rest)`;
    return ok(`the mirror holds ${to.offset - from.offset} byte(s) beyond replay (${from.label} to ${to.label}), staged in ${this.options.stagingDir} from ${walDir}${scanned}`, { from, to, location: this.options.stagingDir });
  }

  /** Stop exporting, assemble the local member read-only and mount it read-only. Only after the primary is fenced. */
  async takeOver(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('takeOver');
    const r = await this.standby.takeOver(this.shell(ctx));
    return r.ok ? ok(r.value) : fromStep(r, 'taking the WAL mirror over');
  }
}
