import { ok, outcome, type CallContext, type Outcome, type RecoveryInput, type RecoveryPlan, type RecoveryReport, type RecoveryStrategy } from '@tandem/core';
import type { BlockMirrorTransport } from './block-mirror-transport.js';
import { mdDeviceOf, walDirOf } from './options.js';

/**
 * The core runs recovery strategies after fencing and before promotion, in
 * config order, and does not call transports' inFlight itself. This strategy,
 * listed before recovery-compensate, takes the mirror over (the old primary
 * is fenced by then) and stages the in-flight WAL where recovery-compensate's
 * `mirrorDir` points. It replays nothing: compensate does.
 */
export class BlockMirrorTakeover implements RecoveryStrategy {
  readonly defaultTimeoutMs = 300_000;

  constructor(private readonly transport: BlockMirrorTransport) {}

  async plan(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryPlan>> {
    if (ctx.signal.aborted) return outcome('timeout', 'plan: the caller gave up');
    const o = this.transport.options;
    return ok('takeover planned', {
      summary: `take ${input.failed.name}'s WAL mirror over on ${input.candidate.name} (epoch ${input.epoch}) and stage its WAL for compensation`,
      steps: [
        { id: 'unexport', description: `stop exporting ${o.localDevice} (targetcli: delete the backstore, saveconfig): ${input.failed.name} can no longer write it` },
        { id: 'assemble', description: `mdadm --assemble ${mdDeviceOf(o)} --readonly --uuid=${o.arrayUuid} --run ${o.localDevice} (never --force)` },
        { id: 'mount', description: `mount -o ro ${mdDeviceOf(o)} ${o.mountPath} (a filesystem that needs journal recovery refuses: zero loss is then not proven)` },
        { id: 'scan', description: `pg_waldump from the standby's replay position through ${walDirOf(o)} to the end of valid WAL` },
        { id: 'stage', description: `copy that range into ${o.stagingDir}, the last segment as .partial zeroed past the end (recovery-compensate's mirrorDir)` },
      ],
    });
  }

  async execute(input: RecoveryInput, ctx: CallContext): Promise<Outcome<RecoveryReport>> {
    if (ctx.signal.aborted) return outcome('timeout', 'execute: the caller gave up before it started');
    const taken = await this.transport.takeOver(ctx);
    const flight = taken.code === 'ok' ? await this.transport.inFlight(ctx) : undefined;
    if (flight?.code === 'ok' && flight.data) {
      const { from, to, location } = flight.data;
      return ok(flight.reason, { compensated: 0, from, to, lostBytes: 0, summary: `took ${input.failed.name}'s WAL mirror over; ${to.offset - from.offset} byte(s) (${from.label} to ${to.label}) staged in ${location} for compensation` });
    }
    const why = flight === undefined ? taken.reason : flight.reason;
    const code = (flight ?? taken).code === 'timeout' ? 'timeout' : 'failed';
    if (!input.acceptDataLoss) return outcome(code, `refusing a zero-loss promotion: ${why} (an operator may force it with failover --accept-data-loss)`);
    return ok(`data loss accepted: ${why}`, { compensated: 0, lostBytes: -1, summary: `no WAL taken over from the mirror: ${why}; loss accepted by the operator, amount unknown` });
  }
}
