import { ok, outcome, type Clock, type Logger, type NodeInfo, type Outcome, type PromotionReadiness, type ResourceAgent, type ResourceCallContext, type ResourceState } from '@tandem/core';
import { slotNameFor, type PostgresAgentOptions } from './options.js';
import { commandFailure, deadlineOf, waitSeconds, type Deadline, type PgTools } from './pg-tools.js';
import { hasStandbySignal, inspectServer } from './server-state.js';
import { configureStandby } from './standby-setup.js';
import { startServer } from './start-server.js';
import { IMMEDIATE_STOP_MS, stopServer } from './stop-server.js';
import { readinessOf } from './readiness.js';
import { rejoinAsReplica } from './rejoin-as-replica.js';
import { peerStandbyNames, rearmIfStreaming, setBeforePromote } from './sync-guard.js';

export interface ClusterView {
  /** The node this agent runs on. */
  readonly self: NodeInfo;
  /** Every node of the cluster; on promote, a slot is made for each of the others. */
  readonly nodes: readonly NodeInfo[];
}

/**
 * PostgreSQL as a resource with roles: pg_ctl for start/stop/promote, psql
 * over the unix socket for monitor. A demoted primary is stopped (or, with
 * demoteMode `standby`, restarted read-only), never left accepting writes.
 */
export class PostgresAgent implements ResourceAgent {
  readonly defaultTimeoutsMs;
  /**
   * With `afterPromote: accept-writes` a new primary commits alone until a peer's standby streams: the core marks
   * the promotion as the sole copy, so no third server replaces this one without those commits.
   */
  readonly soleCopyAfterPromote: boolean;
  /** synchronous_standby_names was seen non-empty on this primary since the last promotion. */
  private syncSeenArmed = false;

  constructor(
    private readonly tools: PgTools,
    private readonly cluster: ClusterView,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    const o = tools.options;
    this.soleCopyAfterPromote = o.syncStandbys?.afterPromote === 'accept-writes';
    this.defaultTimeoutsMs = { start: o.startTimeoutMs + 5000, stop: o.stopTimeoutMs + IMMEDIATE_STOP_MS + 5000, monitor: 10_000, readiness: 10_000, promote: 60_000, demote: o.stopTimeoutMs + IMMEDIATE_STOP_MS + o.startTimeoutMs };
  }

  private get options(): PostgresAgentOptions {
    return this.tools.options;
  }

  private begin(ctx: ResourceCallContext, action: string): Deadline | Outcome {
    if (ctx.signal.aborted) return outcome('timeout', `${action} PostgreSQL: abandoned before it began`);
    if (this.tools.binDir === undefined) return outcome('not-installed', 'no PostgreSQL server under /usr/lib/postgresql/<major>/bin: apt-get install postgresql, or set options.binDir');
    return deadlineOf(this.clock, ctx.timeoutMs, ctx.signal);
  }

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    const d = this.begin(ctx, 'start');
    if ('code' in d) return d;
    const state = await inspectServer(this.tools, d);
    if (state.kind === 'running' || state.kind === 'unreachable') return ok(`PostgreSQL ${this.options.dataDir} already running (pid ${state.pid ?? '?'})`);
    if (state.kind === 'error') return state.outcome;
    const { primary } = ctx;
    if (primary !== undefined && primary.name !== this.cluster.self.name) {
      const configured = await configureStandby(this.tools, this.cluster.self, primary, this.options.password.reveal(), d);
      if (configured) return configured;
    }
    return startServer(this.tools, d);
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    const d = this.begin(ctx, 'stop');
    if ('code' in d) return d;
    return stopServer(this.tools, d);
  }

  async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    const d = this.begin(ctx, 'monitor');
    if ('code' in d) return outcome(d.code, d.reason);
    const state = await inspectServer(this.tools, d);
    switch (state.kind) {
      case 'stopped':
        return outcome('not-running', state.why);
      case 'error':
        return outcome(state.outcome.code, state.outcome.reason);
      case 'unreachable':
        if (state.outcome.code === 'timeout' || state.outcome.code === 'not-installed') return outcome(state.outcome.code, state.outcome.reason);
        return outcome('failed', `postmaster pid ${state.pid ?? '?'} runs but does not accept connections: ${state.outcome.reason}`);
      case 'running': {
        const running = `PostgreSQL pid ${state.pid ?? '?'} runs as ${state.role}`;
        if (state.role !== 'primary') return ok(running, { role: state.role });
        const sync = await this.guardSync(d);
        return ok(`${running}${sync.note}`, { role: state.role, ...(sync.soleCopy === undefined ? {} : { soleCopy: sync.soleCopy }) });
      }
    }
  }

  /**
   * Could this node be promoted now: a running standby (or primary) that
   * answers with its WAL position. Read-only; asked before every election.
   */
  async readiness(ctx: ResourceCallContext): Promise<Outcome<PromotionReadiness>> {
    const d = this.begin(ctx, 'readiness of');
    if ('code' in d) return outcome(d.code, d.reason);
    return readinessOf(this.tools, this.cluster.self.name, d);
  }

  /**
   * On a primary: turn synchronous replication back on once a peer's standby streams (the syncStandbys option).
   * Once seen armed it is not asked again until the next promotion: the setting is only ever emptied by promote,
   * and a psql per monitor would cost the primary a process every probe interval.
   */
  private async guardSync(d: Deadline): Promise<{ readonly note: string; readonly soleCopy?: boolean }> {
    const policy = this.options.syncStandbys;
    if (policy === undefined) return { note: '' };
    if (this.syncSeenArmed) return { note: '', soleCopy: false };
    const g = await rearmIfStreaming(this.tools, peerStandbyNames(policy, this.cluster.self, this.cluster.nodes), d);
    this.syncSeenArmed = g.kind === 'armed' || g.kind === 'rearmed';
    switch (g.kind) {
      case 'armed':
        return { note: '', soleCopy: false };
      case 'degraded':
        return { note: `; synchronous replication off until one of ${g.waitingFor.join(', ')} streams`, soleCopy: true };
      case 'rearmed':
        this.logger?.info({ resource: 'postgres', streaming: g.streaming, synchronousStandbyNames: g.value }, `synchronous replication back on: ${g.streaming.join(', ')} streams; commits wait for ${g.value}`);
        return { note: `; synchronous replication back on (${g.value})`, soleCopy: false };
      case 'error':
        // The server serves; the setting is retried on the next monitor. Said loudly, since commits are single-copy meanwhile.
        this.logger?.warn({ resource: 'postgres' }, g.reason);
        return { note: `; ${g.reason}`, soleCopy: true };
    }
  }

  /** `tandem rejoin`: pg_rewind from ctx.primary, or a fresh base backup, then stream from it. */
  async rejoin(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.primary === undefined) return outcome('failed', 'rejoin needs the current primary, and no node holds the lease');
    // Progress goes to the agent's log as each step begins (a base backup can take long); the last step names a failure's stage.
    let lastStep = 'starting';
    const progress = (line: string): void => {
      lastStep = line;
      this.logger?.info({ resource: 'postgres', rejoin: this.cluster.self.name }, `rejoin: ${line}`);
    };
    const o = await rejoinAsReplica({
      options: this.options,
      self: this.cluster.self,
      primary: ctx.primary,
      runner: this.tools.runner,
      clock: this.clock,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      onProgress: progress,
    });
    if (o.code !== 'ok' || o.data === undefined) return outcome(o.code, `${o.reason} (last step: ${lastStep})`);
    const r = o.data;
    const how = r.method === 'rewind' ? 'pg_rewind' : `a fresh base backup${r.movedAsideTo ? ` (old data kept in ${r.movedAsideTo})` : ''}${r.rewindFailure ? ` because pg_rewind could not: ${r.rewindFailure}` : ''}`;
    return ok(`${this.cluster.self.name} streams from ${r.primary} again after ${how}, in ${Math.round(r.durationMs)} ms${r.bytes !== undefined ? `, ${r.bytes} bytes copied` : ''}`);
  }

  async promote(ctx: ResourceCallContext): Promise<Outcome> {
    const d = this.begin(ctx, 'promote');
    if ('code' in d) return d;
    const state = await inspectServer(this.tools, d);
    if (state.kind === 'stopped') return outcome('failed', `cannot promote: ${state.why}`);
    if (state.kind === 'error') return state.outcome;
    if (state.kind === 'unreachable') return outcome('failed', `cannot promote: ${state.outcome.reason}`);
    let did = 'already primary';
    if (state.role === 'replica') {
      let syncNote = '';
      const policy = this.options.syncStandbys;
      if (policy !== undefined) {
        this.syncSeenArmed = false;
        const set = await setBeforePromote(this.tools, policy, peerStandbyNames(policy, this.cluster.self, this.cluster.nodes), d);
        if (!set.ok) return outcome('failed', `not promoted: ${set.note}`);
        syncNote = `; ${set.note}`;
      }
      const r = await this.tools.run(this.tools.promoteArgv(waitSeconds(60_000, d)), { timeoutMs: d.remainingMs(), signal: d.signal });
      if (!(r.kind === 'exited' && r.exitCode === 0)) return commandFailure('pg_ctl promote', r);
      const after = await inspectServer(this.tools, d);
      if (after.kind !== 'running' || after.role !== 'primary') return outcome('failed', `pg_ctl promote returned but the server is not primary: ${after.kind === 'running' ? 'still in recovery' : after.kind}`);
      did = `promoted${syncNote}`;
    }
    return ok(`PostgreSQL ${did}; ${await this.ensurePeerSlots(d)}`);
  }

  /**
   * One physical slot per peer, reserving WAL from now, so a standby that
   * follows later (or a rejoined old primary) finds every segment it needs.
   * Slots are never dropped here: an absent peer keeps its WAL until an
   * operator drops its slot (max_slot_wal_keep_size bounds that).
   */
  private async ensurePeerSlots(d: Deadline): Promise<string> {
    const slots = this.cluster.nodes.filter((n) => n.name !== this.cluster.self.name).map((n) => slotNameFor(this.options, n.name));
    if (slots.length === 0) return 'no peers, no slots';
    const list = slots.map((s) => `'${s}'`).join(',');
    const sql = `select count(pg_create_physical_replication_slot(s, true)) from unnest(array[${list}]) s where s not in (select slot_name from pg_replication_slots)`;
    const q = await this.tools.query(sql, d, undefined, false);
    return q.ok ? `slots ${slots.join(', ')} present (${q.stdout.trim()} created)` : `could not create replication slots ${slots.join(', ')}: ${q.outcome.reason}`;
  }

  async demote(ctx: ResourceCallContext): Promise<Outcome> {
    const d = this.begin(ctx, 'demote');
    if ('code' in d) return d;
    const state = await inspectServer(this.tools, d);
    if (state.kind === 'stopped') return ok(`not running, so not primary (${state.why})`);
    if (state.kind === 'running' && state.role === 'replica') return ok(`PostgreSQL pid ${state.pid ?? '?'} is already a replica`);
    if (state.kind === 'unreachable' && hasStandbySignal(this.tools)) return ok(`PostgreSQL runs in standby mode (standby.signal) though it did not answer: ${state.outcome.reason}`);
    if (state.kind === 'error' && state.outcome.code === 'config-error') return state.outcome;
    // A primary, or a server whose role cannot be told: stop it, so nothing here accepts writes.
    const stopped = await stopServer(this.tools, d);
    if (stopped.code !== 'ok' || this.options.demoteMode === 'stop') return stopped.code === 'ok' ? ok(`demoted: ${stopped.reason}; rejoin it as a replica when ready`) : stopped;
    const configured = await configureStandby(this.tools, this.cluster.self, ctx.primary, this.options.password.reveal(), d);
    if (configured) return outcome(configured.code, `stopped, but could not configure standby mode: ${configured.reason}`);
    const started = await startServer(this.tools, d);
    return started.code === 'ok' ? ok(`demoted: stopped and restarted in standby mode`) : outcome(started.code, `stopped, but the restart in standby mode failed: ${started.reason}`);
  }
}
