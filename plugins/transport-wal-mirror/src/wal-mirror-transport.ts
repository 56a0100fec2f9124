import { ok, outcome, type CallContext, type Clock, type InFlight, type NodeInfo, type Outcome, type ReplicationTransport, type TransportStatus } from '@tandem/core';
import { commandFailure, deadlineOf, ownedDirArgv, type Deadline } from '@tandem/plugin-resource-postgres';
import { positionOf } from './lsn.js';
import { readMirrorEnd } from './mirror-end.js';
import { logFileOf, mirrorNameFor, pidFileOf, slotFor, type WalMirrorOptions } from './options.js';
import { primaryHostFor } from './primary-host.js';
import { checkStale, setAsideArgv } from './stale-mirror.js';
import { createSlotArgv, detachedArgv, receiverArgv, runningReceiver, type ReceiverSpec } from './receiver-process.js';
import type { LocalServer, WalTools } from './wal-tools.js';

const POLL_MS = 100;
const STARTUP_WAIT_MS = 3_000;
const TERM_WAIT_MS = 5_000;

const aborted = <D>(what: string): Outcome<D> => outcome('timeout', `${what}: the caller gave up before it started`);

/**
 * A synchronous WAL mirror on a standby host: pg_receivewal --synchronous
 * streaming the primary's WAL into `mirrorDir`, named so that the primary's
 * synchronous_standby_names waits for its flush. The standby's own replay
 * may lag; what the mirror flushed is what a commit's acknowledgement
 * promises, and `inFlight` hands it to the recovery strategy.
 */
export class WalMirrorTransport implements ReplicationTransport {
  readonly defaultTimeoutMs = 30_000;

  constructor(
    readonly options: WalMirrorOptions,
    private readonly tools: WalTools,
    private readonly cluster: { readonly self: NodeInfo; readonly nodes: readonly NodeInfo[] },
    private readonly clock: Clock,
  ) {}

  get localServer(): LocalServer {
    const pw = this.options.standbyPassword;
    return { ...this.options.standby, password: pw === undefined ? undefined : () => pw.reveal() };
  }

  async start(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('start');
    const d = deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
    const { mirrorDir } = this.options;
    const running = await runningReceiver(pidFileOf(this.options), mirrorDir);
    if (running !== undefined) return ok(`pg_receivewal (pid ${running}) already mirrors into ${mirrorDir}`);
    const host = primaryHostFor(this.options, this.cluster.self, this.cluster.nodes, ctx);
    if (typeof host !== 'string') return host;
    const spec = this.spec(host);
    const stale = await checkStale(mirrorDir, this.tools, this.localServer, d);
    let setAside = '';
    if (stale.stale) {
      const moved = await this.tools.run(setAsideArgv(mirrorDir, stale.previousDir), { timeoutMs: Math.min(30_000, d.remainingMs()), signal: d.signal, asRoot: true });
      if (moved.kind !== 'exited' || moved.exitCode !== 0) return commandFailure(`setting the stale mirror ${mirrorDir} aside`, moved);
      setAside = `; the old mirror was set aside to ${stale.previousDir} (${stale.why})`;
    }
    const made = await this.tools.run(ownedDirArgv(mirrorDir, this.options.osUser, this.tools.runningAsRoot), { timeoutMs: Math.min(10_000, d.remainingMs()), signal: d.signal, asRoot: true });
    if (made.kind !== 'exited' || made.exitCode !== 0) return commandFailure(`creating ${mirrorDir}`, made);
    if (this.options.createSlot) {
      const slot = await this.tools.run(createSlotArgv(spec), { timeoutMs: Math.min(15_000, d.remainingMs()), signal: d.signal, env: this.passwordEnv() });
      if (slot.kind !== 'exited' || slot.exitCode !== 0) return commandFailure(`creating slot ${spec.slot} on ${host}:${spec.port}`, slot);
    }
    const argv = detachedArgv(pidFileOf(this.options), logFileOf(this.options), this.tools.asOsUser(receiverArgv(spec)));
    const spawned = await this.tools.run(argv, { timeoutMs: Math.min(10_000, d.remainingMs()), signal: d.signal, env: this.passwordEnv(), asRoot: true });
    if (spawned.kind !== 'exited' || spawned.exitCode !== 0) return commandFailure('starting pg_receivewal', spawned);
    const pid = await this.waitFor(d, STARTUP_WAIT_MS, async () => runningReceiver(pidFileOf(this.options), mirrorDir));
    if (pid === undefined) {
      if (ctx.signal.aborted) return outcome('timeout', 'start: the caller gave up while pg_receivewal was starting');
      return outcome('failed', `pg_receivewal did not stay up; see ${logFileOf(this.options)}`);
    }
    return ok(`pg_receivewal (pid ${pid}) mirrors ${host}:${spec.port} as ${spec.mirrorName} into ${mirrorDir}${setAside}`);
  }

  async stop(ctx: CallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return aborted('stop');
    const d = deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
    const pidFile = pidFileOf(this.options);
    const isRunning = async (): Promise<number | undefined> => runningReceiver(pidFile, this.options.mirrorDir);
    const pid = await isRunning();
    if (pid === undefined) return ok('pg_receivewal is not running');
    for (const [signal, waitMs] of [['TERM', TERM_WAIT_MS], ['KILL', 2_000]] as const) {
      const r = await this.tools.run(['kill', `-${signal}`, String(pid)], { timeoutMs: Math.min(5_000, d.remainingMs()), signal: d.signal, asRoot: true });
      if (r.kind !== 'exited') return commandFailure(`kill -${signal} ${pid}`, r);
      const gone = await this.waitFor(d, waitMs, async () => ((await isRunning()) === undefined ? true : undefined));
      if (gone) {
        await this.tools.run(['rm', '-f', pidFile], { timeoutMs: Math.min(5_000, d.remainingMs()), signal: d.signal, asRoot: true });
        return ok(`pg_receivewal (pid ${pid}) stopped by SIG${signal}`);
      }
      if (ctx.signal.aborted) return outcome('timeout', `stop: the caller gave up while pg_receivewal (pid ${pid}) was exiting`);
    }
    return outcome('failed', `pg_receivewal (pid ${pid}) is still running after SIGKILL`);
  }

  async status(ctx: CallContext): Promise<Outcome<TransportStatus>> {
    if (ctx.signal.aborted) return aborted('status');
    const d = deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
    const pid = await runningReceiver(pidFileOf(this.options), this.options.mirrorDir);
    if (pid === undefined) return outcome('not-running', `pg_receivewal is not running for ${this.options.mirrorDir}`);
    const end = await readMirrorEnd(this.options.mirrorDir, this.tools.waldump(d));
    const replay = await this.tools.replayLsn(this.localServer, d);
    if (ctx.signal.aborted) return outcome('timeout', 'status: the caller gave up');
    if (!end.ok) return ok(`pg_receivewal (pid ${pid}) runs; mirror position unknown: ${end.why}`, { role: 'sink' });
    const flushed = end.value.end;
    // Replay can pass the mirror by WAL the primary wrote but no commit waited for yet: everything mirrored is applied then.
    const applied = replay.ok && replay.value !== undefined ? Math.min(replay.value, flushed) : undefined;
    const data: TransportStatus = applied === undefined ? { role: 'sink', flushed: positionOf(flushed) } : { role: 'sink', flushed: positionOf(flushed), applied: positionOf(applied), lag: flushed - applied };
    const replayNote = replay.ok ? (replay.value === undefined ? '; the local server is not in recovery' : '') : `; replay position unknown: ${replay.why}`;
    return ok(`pg_receivewal (pid ${pid}) flushed ${positionOf(flushed).label}${applied === undefined ? '' : `, standby applied ${positionOf(applied).label}`}${replayNote}`, data);
  }

  async inFlight(ctx: CallContext): Promise<Outcome<InFlight>> {
    if (ctx.signal.aborted) return aborted('inFlight');
    const d = deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
    return mirrorInFlight(this.options.mirrorDir, this.tools, this.localServer, d);
  }

  private spec(host: string): ReceiverSpec {
    const node = this.cluster.self.name;
    return { receivewal: this.tools.bin('pg_receivewal'), mirrorDir: this.options.mirrorDir, host, port: this.options.port, user: this.options.user, mirrorName: mirrorNameFor(this.options, node), slot: slotFor(this.options, node), statusIntervalS: this.options.statusIntervalS };
  }


  private passwordEnv(): Record<string, string> {
    return this.options.password === undefined ? {} : { PGPASSWORD: this.options.password.reveal() };
  }

  /** Poll `probe` until it gives a value, at most `limitMs` and never past the deadline. */
  private async waitFor<T>(d: Deadline, limitMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
    const endsAtMs = this.clock.monotonicMs() + Math.min(limitMs, d.remainingMs());
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (this.clock.monotonicMs() >= endsAtMs || d.signal?.aborted === true) return undefined;
      await this.clock.sleep(POLL_MS, d.signal).catch(() => undefined);
    }
  }
}

/**
 * What the mirror holds beyond the local standby's replay, read from the
 * mirror directory and the local server only (never the primary). Exported
 * for recovery-compensate, which runs where the transport does.
 */
export async function mirrorInFlight(mirrorDir: string, tools: WalTools, server: LocalServer, d: Deadline): Promise<Outcome<InFlight>> {
  const end = await readMirrorEnd(mirrorDir, tools.waldump(d));
  if (!end.ok) return outcome('failed', `the WAL mirror is unreadable: ${end.why}`);
  const replay = await tools.replayLsn(server, d);
  if (!replay.ok) return outcome('failed', `cannot read the standby's replay position: ${replay.why}`);
  if (replay.value === undefined) return outcome('failed', 'the local server is not in recovery: there is no replay position to compare with the mirror');
  const from = positionOf(Math.min(replay.value, end.value.end));
  const to = positionOf(end.value.end);
  return ok(`mirror holds ${to.offset - from.offset} byte(s) beyond replay (${from.label} to ${to.label})`, { from, to, location: mirrorDir });
}
