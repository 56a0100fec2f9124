import { ok, outcome, type CallContext, type Clock, type CommandRunner, type FenceProof, type FenceRequest, type Fencer, type NodeInfo, type Outcome } from '@tandem/core';
import { claimDevice, type DeviceClaim } from './claim.js';
import type { ScsiPrOptions } from './options.js';
import { PrCall, retype } from './pr-call.js';
import { decodeKey, EPOCH_MAX, type KeyScheme } from './pr-key.js';
import { TYPE_NAMES } from './sg-persist-output.js';

/**
 * Fencing by SCSI-3 persistent reservation on the shared LUNs.
 *
 * `fence` runs on the node taking over: it registers its own key at the new
 * epoch, preempts (and aborts) the fenced node's registrations, holds the
 * reservation, and returns ok only once every device, read back, shows the
 * fenced node's keys gone and the reservation held by our key. With a
 * registrants-only reservation the fenced node's writes then fail with a
 * reservation conflict at the target, whatever its kernel still believes.
 */
export class ScsiPrFencer implements Fencer {
  readonly defaultTimeoutMs = 30_000;

  constructor(
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
    private readonly options: ScsiPrOptions,
    private readonly scheme: KeyScheme,
    private readonly localNode: NodeInfo,
  ) {}

  async fence(request: FenceRequest, ctx: CallContext): Promise<Outcome<FenceProof>> {
    const refused = this.refuse(ctx, `fence ${request.node.name}`) ?? this.refuseRequest(request);
    if (refused) return refused;
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const devices = await call.devices();
    if (devices.code !== 'ok' || !devices.data) return retype(devices);
    const victimId = this.scheme.idOf(request.node.name);
    const goal = {
      ours: this.scheme.keyOf(this.localNode.name, request.epoch),
      epoch: request.epoch,
      localNodeId: this.scheme.idOf(this.localNode.name),
      isVictim: (k: bigint) => decodeKey(k).nodeId === victimId,
      type: this.options.reservationType,
    };
    const claims: DeviceClaim[] = [];
    for (const device of devices.data) {
      const c = await claimDevice(call, this.scheme, device, goal);
      if (c.code !== 'ok' || !c.data) {
        const done = claims.length === 0 ? '' : ` (already fenced on ${claims.map((x) => x.device).join(', ')})`;
        return outcome(c.code === 'ok' ? 'unknown' : c.code, `fence ${request.node.name} at epoch ${request.epoch}: ${c.reason}${done}`);
      }
      claims.push(c.data);
    }
    const removed = claims.flatMap((c) => c.removed);
    const holders = [...new Set(claims.map((c) => c.holder))].map((k) => this.scheme.describe(k)).join(', ');
    const verified = `sg_persist on ${claims.map((c) => c.device).join(', ')}: no key of ${request.node.name} registered; reservation (${TYPE_NAMES[this.options.reservationType]}) held by ${holders}`;
    const what = removed.length === 0 ? 'already fenced' : `preempted ${[...new Set(removed)].map((k) => this.scheme.describe(k)).join(', ')}`;
    return ok(`fence ${request.node.name} at epoch ${request.epoch}: ${what}; ${verified}`, { verified, epoch: request.epoch });
  }

  /** Fenced when no device carries a key of the node (it can then neither write nor hold the reservation). */
  async status(node: NodeInfo, ctx: CallContext): Promise<Outcome<{ readonly fenced: boolean }>> {
    const refused = this.refuse(ctx, `status of ${node.name}`);
    if (refused) return refused;
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const devices = await call.devices();
    if (devices.code !== 'ok' || !devices.data) return retype(devices);
    const id = this.scheme.idOf(node.name);
    const seen: string[] = [];
    for (const device of devices.data) {
      const keys = await call.readKeys(device);
      if (keys.code !== 'ok' || !keys.data) return retype(keys);
      for (const k of keys.data.keys.filter((k) => decodeKey(k).nodeId === id)) seen.push(`${device}: ${this.scheme.describe(k)}`);
    }
    return seen.length === 0
      ? ok(`no key of ${node.name} on ${devices.data.join(', ')}`, { fenced: true })
      : ok(`${node.name} is registered (${seen.join('; ')})`, { fenced: false });
  }

  /**
   * SCSI PR keeps no deny list: a preempted initiator may register again at
   * any time, and in this plugin a node registers only when it becomes
   * primary at a newer epoch (fence or the claim resource). So nothing is
   * undone here, and no key is registered for another node (a registration
   * belongs to the initiator that sends it). We only check the devices answer.
   */
  async unfence(node: NodeInfo, epoch: number, ctx: CallContext): Promise<Outcome> {
    const refused = this.refuse(ctx, `unfence ${node.name}`);
    if (refused) return refused;
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const devices = await call.devices();
    if (devices.code !== 'ok' || !devices.data) return retype(devices);
    for (const device of devices.data) {
      const keys = await call.readKeys(device);
      if (keys.code !== 'ok') return retype(keys);
    }
    return ok(`unfence ${node.name} (epoch ${epoch}): nothing to undo; ${node.name} registers its own key on ${devices.data.join(', ')} when it next becomes primary`);
  }

  private refuse(ctx: CallContext, what: string): Outcome<never> | undefined {
    if (ctx.signal.aborted) return outcome('timeout', `fence-scsi-pr ${what}: the caller gave up before the call started`);
    if (this.scheme.problem) return outcome('config-error', this.scheme.problem);
    return undefined;
  }

  private refuseRequest(request: FenceRequest): Outcome<never> | undefined {
    if (request.node.name === this.localNode.name) return outcome('config-error', `fence-scsi-pr: ${this.localNode.name} was asked to fence itself; a node fences its peers, never its own initiator`);
    if (!Number.isInteger(request.epoch) || request.epoch < 1 || request.epoch > EPOCH_MAX) return outcome('config-error', `fence-scsi-pr: epoch ${request.epoch} does not fit the 6 bytes of a key (1..${EPOCH_MAX})`);
    return undefined;
  }
}
