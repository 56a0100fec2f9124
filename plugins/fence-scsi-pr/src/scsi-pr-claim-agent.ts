import { ok, outcome, type Clock, type CommandRunner, type NodeInfo, type Outcome, type ResourceAgent, type ResourceCallContext, type ResourceState } from '@tandem/core';
import { claimDevice } from './claim.js';
import type { ScsiPrOptions } from './options.js';
import { PrCall, retype } from './pr-call.js';
import { decodeKey, type KeyScheme } from './pr-key.js';

type Held = 'stopped' | 'replica' | 'primary';

/**
 * The reservation as a resource of the group, first in order (before the
 * volume): promote registers this node's key at the lease epoch and takes
 * the reservation, preempting any older key; demote and stop drop our
 * registration, which also releases the reservation. It is what makes a
 * planned switchover (no fence) and the first primary (no one to fence)
 * hold the LUNs; a failover's fence has already done the same.
 */
export class ScsiPrClaimAgent implements ResourceAgent {
  readonly defaultTimeoutsMs = { start: 5000, stop: 30_000, monitor: 20_000, promote: 30_000, demote: 30_000 };
  private held: Held = 'stopped';

  constructor(
    private readonly runner: CommandRunner,
    private readonly clock: Clock,
    private readonly options: ScsiPrOptions,
    private readonly scheme: KeyScheme,
    private readonly localNode: NodeInfo,
  ) {}

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    const refused = this.refuse(ctx, 'start');
    if (refused) return refused;
    // A replica is not registered: under a registrants-only reservation it must not be able to write.
    // A key this node left behind in an earlier life (a crash while primary) is dropped here, once its
    // sessions are back (the volume logs in before this resource starts).
    const dropped = await this.unregister(ctx);
    if (dropped.code !== 'ok') return dropped;
    if (this.held === 'stopped') this.held = 'replica';
    return ok(`scsi-pr claim ready on ${this.localNode.name}, not registered (registers when promoted); ${dropped.reason}`);
  }

  async promote(ctx: ResourceCallContext): Promise<Outcome> {
    const refused = this.refuse(ctx, 'promote');
    if (refused) return refused;
    if (ctx.epoch < 1) return outcome('failed', `scsi-pr claim: promote without a lease (epoch ${ctx.epoch}); a key needs the lease epoch`);
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const devices = await call.devices();
    if (devices.code !== 'ok' || !devices.data) return retype(devices);
    const ours = this.scheme.keyOf(this.localNode.name, ctx.epoch);
    const goal = { ours, epoch: ctx.epoch, localNodeId: this.scheme.idOf(this.localNode.name), isVictim: (k: bigint) => k !== ours && this.scheme.ownerOf(k) !== undefined && decodeKey(k).nodeId !== this.scheme.idOf(this.localNode.name), type: this.options.reservationType };
    for (const device of devices.data) {
      const c = await claimDevice(call, this.scheme, device, goal);
      if (c.code !== 'ok') return outcome(c.code, `scsi-pr claim at epoch ${ctx.epoch}: ${c.reason}`);
    }
    this.held = 'primary';
    return ok(`scsi-pr claim: ${devices.data.join(', ')} reserved by ${this.scheme.describe(ours)}`);
  }

  async demote(ctx: ResourceCallContext): Promise<Outcome> {
    const refused = this.refuse(ctx, 'demote');
    if (refused) return refused;
    const dropped = await this.unregister(ctx);
    if (dropped.code === 'ok' && this.held === 'primary') this.held = 'replica';
    return dropped;
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    const refused = this.refuse(ctx, 'stop');
    if (refused) return refused;
    const dropped = await this.unregister(ctx);
    if (dropped.code === 'ok') this.held = 'stopped';
    return dropped;
  }

  /**
   * primary while every device shows our key holding the reservation; a
   * device that cannot be read leaves it serving but `degraded` (one array of
   * the mirror lost). A primary whose key is gone was preempted: failed.
   */
  async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    const refused = this.refuse(ctx, 'monitor');
    if (refused) return refused;
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const found = await call.resolveDevices();
    if (found.code !== 'ok' || !found.data) return retype(found);
    const { paths, missing } = found.data;
    const mine = this.scheme.idOf(this.localNode.name);
    const holding: string[] = [];
    // A LUN whose session is gone (its storage host is down) counts like an unreadable one: degraded, not failed.
    const unread: string[] = [...missing];
    for (const device of paths) {
      const res = await call.readReservation(device);
      if (res.code === 'timeout') return retype(res);
      if (res.code !== 'ok' || !res.data) unread.push(`${device} (${res.reason})`);
      else if (res.data.holder !== undefined && decodeKey(res.data.holder.key).nodeId === mine) holding.push(device);
    }
    if (holding.length > 0 && holding.length + unread.length === paths.length + missing.length) {
      this.held = 'primary';
      const state: ResourceState = unread.length === 0 ? { role: 'primary' } : { role: 'primary', degraded: `reservation unreadable on ${unread.join('; ')}` };
      return ok(`scsi-pr claim: reservation held on ${holding.join(', ')}`, state);
    }
    if (this.held === 'primary') {
      const lost = paths.filter((d) => !holding.includes(d));
      return outcome('failed', `scsi-pr claim: ${this.localNode.name} no longer holds the reservation on ${lost.join(', ') || 'any device'} (preempted?)${unread.length > 0 ? `; unreadable: ${unread.join('; ')}` : ''}`);
    }
    return this.held === 'stopped' ? outcome('not-running', 'scsi-pr claim: stopped, no key of ours registered') : ok('scsi-pr claim: replica, not registered', { role: 'replica' });
  }

  /**
   * Drop every registration of this node (REGISTER with the current key and a new key of 0); verify
   * none is left. A LUN this node has no session to is skipped and named: without a session it cannot
   * write there, and a key it left on that LUN is dropped by the next start here or preempted by the
   * next fence. (An agent starting on a node that has not logged in yet demotes everything first.)
   */
  private async unregister(ctx: ResourceCallContext): Promise<Outcome> {
    const call = new PrCall(this.runner, this.clock, this.options, ctx);
    const found = await call.resolveDevices();
    if (found.code !== 'ok' || !found.data) return retype(found);
    const devices = { data: found.data.paths };
    const skipped = found.data.missing.length > 0 ? `; not logged in, skipped: ${found.data.missing.length} LUN(s)` : '';
    const mine = this.scheme.idOf(this.localNode.name);
    const gone: string[] = [];
    for (const device of devices.data) {
      const keys = await call.readKeys(device);
      // A LUN whose storage host is down cannot be opened: like a LUN without a session, nothing reaches it.
      if (keys.code !== 'ok' && /error opening file|No such device/.test(keys.reason)) {
        gone.push(device);
        continue;
      }
      if (keys.code !== 'ok' || !keys.data) return retype(keys);
      for (const key of keys.data.keys.filter((k) => decodeKey(k).nodeId === mine)) {
        const sent = await call.send({ kind: 'unregister', key }, device);
        if (sent.code !== 'ok') return outcome(sent.code, `scsi-pr claim: could not drop ${this.scheme.describe(key)}: ${sent.reason}`);
      }
      const after = await call.readKeys(device);
      if (after.code !== 'ok' || !after.data) return retype(after);
      const left = after.data.keys.filter((k) => decodeKey(k).nodeId === mine);
      if (left.length > 0) return outcome('failed', `scsi-pr claim: ${device} still carries ${left.map((k) => this.scheme.describe(k)).join(', ')}`);
    }
    const reached = devices.data.filter((d) => !gone.includes(d));
    const unreachable = gone.length > 0 ? `; unreachable, skipped: ${gone.join(', ')}` : '';
    return ok(`scsi-pr claim: no key of ${this.localNode.name} on ${reached.join(', ') || 'any reachable LUN'}${skipped}${unreachable}`);
  }

  private refuse(ctx: ResourceCallContext, what: string): Outcome<never> | undefined {
    if (ctx.signal.aborted) return outcome('timeout', `scsi-pr claim ${what}: the caller gave up before the call started`);
    if (this.scheme.problem) return outcome('config-error', this.scheme.problem);
    return undefined;
  }
}
