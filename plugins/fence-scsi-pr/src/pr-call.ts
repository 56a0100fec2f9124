import { ok, outcome, type CallContext, type Clock, type CommandResult, type CommandRunner, type Outcome } from '@tandem/core';
import { parseSessionDisks } from './iscsi-sessions.js';
import type { ScsiPrOptions } from './options.js';
import { parseReadKeys, parseReadReservation, type ReadKeys, type ReadReservation } from './sg-persist-output.js';
import { SG_EXIT, sgPersistSpec, type PrRequest } from './sg-persist-command.js';

/**
 * One contract call's access to the devices: every command runs under what
 * is left of the caller's deadline (and at most `commandTimeoutMs`), with the
 * caller's signal, so an abandoned call leaves no sg_persist behind.
 */
export class PrCall {
  private readonly endsAtMs: number;

  constructor(
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
    private readonly options: ScsiPrOptions,
    private readonly ctx: CallContext,
  ) {
    this.endsAtMs = clock.monotonicMs() + ctx.timeoutMs;
  }

  get aborted(): boolean {
    return this.ctx.signal.aborted || this.endsAtMs - this.clock.monotonicMs() <= 0;
  }

  /** Run one sg_persist request; a unit attention (a reservation changed under us) is retried once. */
  async send(request: PrRequest, device: string): Promise<Outcome<string>> {
    const what = `sg_persist ${request.kind} on ${device}`;
    let result = await this.exec(() => sgPersistSpec(request, device, this.budgetMs(), this.ctx.signal), what);
    if ('code' in result) return result;
    if (result.kind === 'exited' && result.exitCode === SG_EXIT.unitAttention) {
      const again = await this.exec(() => sgPersistSpec(request, device, this.budgetMs(), this.ctx.signal), what);
      if ('code' in again) return again;
      result = again;
    }
    return classifySgPersist(result, what);
  }

  async readKeys(device: string): Promise<Outcome<ReadKeys>> {
    const run = await this.send({ kind: 'read-keys' }, device);
    if (run.code !== 'ok') return retype(run);
    const parsed = parseReadKeys(run.data ?? '');
    return parsed ? ok(run.reason, parsed) : outcome('unknown', `sg_persist read-keys on ${device}: cannot read the key list from ${excerpt(run.data ?? '')}`);
  }

  async readReservation(device: string): Promise<Outcome<ReadReservation>> {
    const run = await this.send({ kind: 'read-reservation' }, device);
    if (run.code !== 'ok') return retype(run);
    const parsed = parseReadReservation(run.data ?? '');
    return parsed ? ok(run.reason, parsed) : outcome('unknown', `sg_persist read-reservation on ${device}: cannot read the reservation from ${excerpt(run.data ?? '')}`);
  }

  /**
   * The configured devices as paths. `{ targetIqn, lun }` entries are looked up
   * in `iscsiadm -m session -P 3` at each call: after a re-login the disk may
   * have another sd name. A target with several sessions gives one path per
   * session (each is an initiator-target nexus with its own registration).
   * Fails when any configured LUN has no session (fencing needs every one).
   */
  async devices(): Promise<Outcome<readonly string[]>> {
    const found = await this.resolveDevices();
    if (found.code !== 'ok' || !found.data) return retype(found);
    if (found.data.missing.length > 0) return outcome('failed', found.data.missing.join('; '));
    return ok(found.reason, found.data.paths);
  }

  /** Like `devices`, but a LUN without a session is listed in `missing` (with the fix) instead of failing: monitor reports it as degraded. */
  async resolveDevices(): Promise<Outcome<{ readonly paths: readonly string[]; readonly missing: readonly string[] }>> {
    const paths = this.options.devices.filter((d): d is string => typeof d === 'string');
    const wanted = this.options.devices.filter((d) => typeof d !== 'string');
    if (wanted.length === 0) return ok('devices by path', { paths, missing: [] });
    const what = 'iscsiadm -m session -P 3';
    const result = await this.exec(() => ({ file: 'iscsiadm', args: ['-m', 'session', '-P', '3'], timeoutMs: this.budgetMs(), signal: this.ctx.signal, readOnly: true }), what);
    if ('code' in result) return result;
    // iscsiadm exits 21 ("No active sessions") when nothing is logged in: an empty list, not an error.
    const noSessions = result.kind === 'exited' && result.exitCode === 21;
    if (result.kind !== 'exited' || (result.exitCode !== 0 && !noSessions)) return retype(classifySgPersist(result, what));
    const attached = noSessions ? [] : parseSessionDisks(result.stdout);
    const resolved = [...paths];
    const missing: string[] = [];
    for (const w of wanted) {
      const disks = attached.filter((a) => a.targetIqn === w.targetIqn && a.lun === w.lun);
      if (disks.length === 0) {
        missing.push(`fence-scsi-pr: no logged-in session shows LUN ${w.lun} of ${w.targetIqn}; log in first (iscsiadm -m node -T ${w.targetIqn} --login) or check the target's ACL for this initiator`);
      }
      resolved.push(...disks.map((d) => `/dev/${d.disk}`));
    }
    return ok(`devices: ${resolved.join(', ')}`, { paths: resolved, missing });
  }

  private budgetMs(): number {
    return Math.max(1, Math.min(this.options.commandTimeoutMs, Math.floor(this.endsAtMs - this.clock.monotonicMs())));
  }

  private async exec(spec: () => Parameters<CommandRunner['run']>[0], what: string): Promise<CommandResult | Outcome<never>> {
    if (this.aborted) return outcome('timeout', `${what}: no time left before the caller's deadline`);
    return this.runner.run(spec());
  }
}

/** One sg_persist (or iscsiadm) run as an outcome; `ok` carries stdout. */
export function classifySgPersist(result: CommandResult, what: string): Outcome<string> {
  switch (result.kind) {
    case 'not-installed':
      return outcome('not-installed', `${what}: ${result.message}`);
    case 'aborted':
      return outcome('timeout', `${what}: abandoned, the caller's deadline passed`);
    case 'timeout':
      return outcome('timeout', `${what}: no answer within ${Math.round(result.durationMs)} ms`);
    case 'exited':
      break;
  }
  if (result.exitCode === 0) return ok(`${what}: done`, result.stdout);
  const said = excerpt(result.stderr || result.stdout);
  if (result.exitCode === SG_EXIT.reservationConflict) return outcome('failed', `${what}: reservation conflict (${said})`);
  if (result.exitCode === SG_EXIT.illegalRequest) {
    return outcome('config-error', `${what}: the device refused the command (${said}); does the target support persistent reservations? On LIO check the backstore's attribute emulate_pr=1`);
  }
  if (result.exitCode === SG_EXIT.fileError) return outcome('failed', `${what}: cannot open the device (${said})`);
  return outcome('failed', `${what}: exit ${result.exitCode} (${said})`);
}

function excerpt(text: string): string {
  const t = text.trim().split('\n').slice(-3).join(' | ');
  return t === '' ? 'no output' : JSON.stringify(t.slice(0, 300));
}

/** Re-type a non-ok outcome (its data is never read). */
export function retype<D>(o: Outcome<unknown>): Outcome<D> {
  return { code: o.code, reason: o.reason };
}
