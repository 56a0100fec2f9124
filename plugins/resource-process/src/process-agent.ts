import { readFile } from 'node:fs/promises';
import { DEBIAN_PACKAGES, ok, outcome, type Clock, type CommandRunner, type Outcome, type ResourceAgent, type ResourceCallContext, type ResourceRole, type ResourceState } from '@tandem/core';
import { signalGroup, waitGone } from './kill-group.js';
import { PidFile, startTicksOf } from './pid-file.js';
import { portAccepts } from './port-accepts.js';
import { logFileOf, type ProcessAgentOptions } from './process-agent-options.js';
import { runRoleCommand } from './run-role-command.js';
import { spawnDetached } from './spawn-detached.js';

const POLL_MS = 50;
/** After SIGKILL a process is gone within milliseconds unless stuck in the kernel (D state). */
const KILL_WAIT_MS = 2000;

/**
 * Manages one long-running process as an OCF-style resource: started
 * detached with a pid file, monitored by pid (and a TCP port if given),
 * stopped with SIGTERM then SIGKILL. Roles are recorded in a state file.
 */
export class ProcessAgent implements ResourceAgent {
  readonly defaultTimeoutsMs;
  private readonly pidFile: PidFile;
  private readonly name: string;

  constructor(
    private readonly options: ProcessAgentOptions,
    private readonly clock: Clock,
    private readonly runner: CommandRunner,
    /** The service gets it as TANDEM_NODE: it inherits nothing else of the agent's environment. */
    private readonly nodeName?: string,
  ) {
    this.pidFile = new PidFile(options.pidFile);
    this.name = options.command[0] ?? 'process';
    this.defaultTimeoutsMs = { start: 30_000, stop: options.stopTimeoutMs + KILL_WAIT_MS + 1000, monitor: 5000, promote: 30_000, demote: 30_000 };
  }

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `start ${this.name}: abandoned before starting`);
    const current = await this.pidFile.inspect();
    if (current.kind === 'running') return ok(`${this.name} already running as pid ${current.pid}`);
    if (current.kind === 'stale') await this.pidFile.remove();
    const env = { ...(this.nodeName === undefined ? {} : { TANDEM_NODE: this.nodeName }), ...this.options.env };
    const spawned = await spawnDetached(this.options.command, { env, logFile: logFileOf(this.options), ...(this.options.cwd ? { cwd: this.options.cwd } : {}) });
    if (spawned.kind === 'error') return this.spawnFailure(spawned.code, spawned.message);
    const pid = spawned.child.pid ?? 0;
    const startTicks = await startTicksOf(pid);
    await this.pidFile.write({ pid, role: 'replica', ...(startTicks ? { startTicks } : {}) });
    const ready = await this.awaitReady(pid, spawned.exited, ctx);
    if (ready.code === 'ok') return ok(`${this.name} started as pid ${pid}${this.options.healthPort ? `, port ${this.options.healthPort} accepts` : ''}`);
    // Never leave a half-started process behind: the caller believes start did not happen.
    signalGroup(pid, 'SIGKILL');
    await waitGone(this.clock, pid, startTicks, KILL_WAIT_MS);
    await this.pidFile.remove();
    return ready;
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `stop ${this.name}: abandoned before stopping`);
    const current = await this.pidFile.inspect();
    if (current.kind === 'none') return ok(`${this.name} already stopped`);
    if (current.kind === 'stale') {
      await this.pidFile.remove();
      return ok(`${this.name} was not running; removed the stale pid file (${current.why})`);
    }
    const { pid, state } = current;
    signalGroup(pid, 'SIGTERM');
    const graceful = await waitGone(this.clock, pid, state.startTicks, this.options.stopTimeoutMs, ctx.signal);
    if (graceful !== 'gone') signalGroup(pid, 'SIGKILL');
    const final = graceful === 'gone' ? 'gone' : await waitGone(this.clock, pid, state.startTicks, KILL_WAIT_MS);
    if (final !== 'gone') return outcome('failed', `${this.name} pid ${pid} survived SIGKILL for ${KILL_WAIT_MS} ms (stuck in the kernel?)`);
    await this.pidFile.remove();
    if (graceful === 'aborted') return outcome('timeout', `stop ${this.name}: the deadline passed during the graceful stop; pid ${pid} was killed with SIGKILL`);
    return ok(graceful === 'gone' ? `${this.name} pid ${pid} stopped` : `${this.name} pid ${pid} ignored SIGTERM for ${this.options.stopTimeoutMs} ms and was killed`);
  }

  async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    if (ctx.signal.aborted) return outcome('timeout', `monitor ${this.name}: abandoned`);
    const current = await this.pidFile.inspect();
    if (current.kind === 'none') return outcome('not-running', `${this.name} is stopped (no pid file)`);
    if (current.kind === 'stale') return outcome('failed', `${this.name} died: ${current.why}`);
    const { healthPort, healthHost } = this.options;
    if (healthPort !== undefined) {
      const answer = await portAccepts(healthHost, healthPort, ctx.signal);
      if (answer === 'aborted') return outcome('timeout', `monitor ${this.name}: ${healthHost}:${healthPort} did not answer in time`);
      if (answer === 'no') return outcome('failed', `${this.name} pid ${current.pid} is alive but ${healthHost}:${healthPort} refuses connections`);
    }
    return ok(`${this.name} running as pid ${current.pid} (${current.state.role})`, { role: current.state.role });
  }

  promote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.changeRole('primary', ctx);
  }

  demote(ctx: ResourceCallContext): Promise<Outcome> {
    return this.changeRole('replica', ctx);
  }

  private async changeRole(role: ResourceRole, ctx: ResourceCallContext): Promise<Outcome> {
    const action = role === 'primary' ? 'promote' : 'demote';
    if (ctx.signal.aborted) return outcome('timeout', `${action} ${this.name}: abandoned`);
    const current = await this.pidFile.inspect();
    if (current.kind !== 'running') {
      // A stopped process is certainly not a primary; promoting one is an error.
      return role === 'replica' ? ok(`${this.name} is not running, so not primary`) : outcome('failed', `cannot promote ${this.name}: it is not running`);
    }
    if (current.state.role === role) return ok(`${this.name} already ${role}`);
    const argv = this.options[action];
    if (argv) {
      const ran = await runRoleCommand(this.runner, argv, { action, pid: current.pid, options: this.options, ctx });
      if (ran.code !== 'ok') return ran;
    }
    await this.pidFile.writeState({ ...current.state, role });
    return ok(`${this.name} pid ${current.pid} is now ${role}${argv ? '' : ' (recorded)'}`);
  }

  /** Wait until the process is ready (port accepts, or it survived the grace period), it died, or the caller gave up. */
  private async awaitReady(pid: number, exited: () => { code: number | null; signal: string | null } | undefined, ctx: ResourceCallContext): Promise<Outcome> {
    const started = this.clock.monotonicMs();
    const { healthPort, healthHost, startGraceMs } = this.options;
    for (;;) {
      const exit = exited();
      if (exit) return outcome('failed', `${this.name} pid ${pid} exited during start (${exit.signal ?? `code ${exit.code}`}): ${await this.logTail()}`);
      const elapsedMs = this.clock.monotonicMs() - started;
      if (healthPort === undefined && elapsedMs >= startGraceMs) return ok('survived the start grace period');
      if (healthPort !== undefined && (await portAccepts(healthHost, healthPort, ctx.signal)) === 'yes') return ok('port accepts');
      if (ctx.signal.aborted || elapsedMs >= ctx.timeoutMs) {
        return outcome('timeout', `${this.name} pid ${pid} was not ready within ${Math.round(elapsedMs)} ms${healthPort ? ` (${healthHost}:${healthPort} never accepted)` : ''}; killed it`);
      }
      await this.clock.sleep(POLL_MS, ctx.signal).catch(() => undefined);
    }
  }

  private spawnFailure(code: string, message: string): Outcome {
    if (code === 'ENOENT') {
      const base = this.name.split('/').pop() ?? this.name;
      const pkg = DEBIAN_PACKAGES[base];
      return outcome('not-installed', `${this.name} is not installed${pkg ? `: apt-get install ${pkg}` : ' (or not on PATH)'}${this.options.cwd ? `, or cwd ${this.options.cwd} does not exist` : ''}`);
    }
    if (code === 'EACCES') return outcome('config-error', `${this.name} is not executable (EACCES); check options.command and its permissions`);
    return outcome('failed', `cannot start ${this.name}: ${message}`);
  }

  private async logTail(): Promise<string> {
    const text = await readFile(logFileOf(this.options), 'utf8').catch(() => '');
    const tail = text.trim().split('\n').slice(-3).join(' | ');
    return tail ? `log says: ${tail.slice(-300)}` : `nothing in ${logFileOf(this.options)}`;
  }
}
