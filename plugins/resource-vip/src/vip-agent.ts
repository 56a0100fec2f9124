import { ok, outcome, type Clock, type CommandRunner, type CommandSpec, type NodeInfo, type Outcome, type ResourceAgent, type ResourceCallContext, type ResourceState } from '@tandem/core';
import { dadArgv, detectFlavour, type ArpingFlavour } from './arping-argv.js';
import { commandFailure, done, stop, type Step } from './command-outcome.js';
import { GarpBurst } from './garp-burst.js';
import { parseIpAddrJson, placementOf, type HostAddress } from './ip-addr.js';
import { parseDad } from './parse-dad.js';
import { MAX_LABEL_CHARS, parseCidr, type Cidr, type VipOptions } from './vip-options.js';

/** `ip` and `arping --help` answer in milliseconds; this bounds a hung one. */
const COMMAND_TIMEOUT_MS = 5000;

/** A failure outcome carries no data, whatever the action's data type. */
function withoutData(o: Outcome): Outcome<ResourceState> {
  return outcome(o.code, o.reason);
}

interface Where {
  readonly iface: string;
  readonly label: string;
}

/**
 * A virtual IPv4 address as a resource without roles: the HA cycle starts it
 * on the primary and stops it elsewhere. Start probes for an owner first and
 * never adds a duplicate; after adding it announces the move with repeated
 * gratuitous ARP so clients' neighbour caches follow at once.
 */
export class VipAgent implements ResourceAgent {
  readonly defaultTimeoutsMs;
  private readonly vip: Cidr;
  private readonly burst: GarpBurst;
  private flavour: ArpingFlavour | undefined;

  constructor(
    private readonly options: VipOptions,
    private readonly node: NodeInfo,
    private readonly runner: CommandRunner,
    clock: Clock,
  ) {
    const vip = parseCidr(options.address);
    if (!vip) throw new Error(`resource-vip: options.address "${options.address}" passed validation but does not parse`);
    this.vip = vip;
    this.burst = new GarpBurst(runner, clock);
    this.flavour = options.arping === 'auto' ? undefined : options.arping;
    this.defaultTimeoutsMs = { start: options.dadTimeoutMs + 5000, stop: 5000, monitor: 5000 };
  }

  async start(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `start VIP ${this.vip.ip}: abandoned before starting`);
    const where = await this.where(ctx);
    if (!where.ok) return where.outcome;
    const { iface, label } = where.value;
    const addresses = await this.addresses(ctx);
    if (!addresses.ok) return addresses.outcome;
    const placement = placementOf(addresses.value, this.vip.ip, iface, this.vip.prefixLength);
    if (placement.kind === 'misplaced') return outcome('failed', `cannot start VIP: ${placement.why}; remove the stray address first`);
    if (placement.kind === 'here') return this.announce(iface, ctx, `VIP ${this.options.address} already on ${iface}; re-announced`);
    const flavour = await this.arpingFlavour(ctx);
    if (!flavour.ok) return flavour.outcome;
    const free = await this.probeOwner(flavour.value, iface, ctx);
    if (!free.ok) return free.outcome;
    const added = await this.run(ctx, 'ip', ['addr', 'add', this.options.address, 'dev', iface, 'label', label]);
    if (!added.ok) return added.outcome;
    if (ctx.signal.aborted) {
      // The caller gave up and believes start did not happen: take the address back off.
      await this.run({ ...ctx, signal: new AbortController().signal }, 'ip', ['addr', 'del', this.options.address, 'dev', iface]);
      return outcome('timeout', `start VIP ${this.vip.ip}: the deadline passed while adding it; removed it again`);
    }
    return this.announce(iface, ctx, `VIP ${this.options.address} added on ${iface} (label ${label})`);
  }

  async stop(ctx: ResourceCallContext): Promise<Outcome> {
    if (ctx.signal.aborted) return outcome('timeout', `stop VIP ${this.vip.ip}: abandoned before stopping`);
    await this.burst.cancel();
    const addresses = await this.addresses(ctx);
    if (!addresses.ok) return addresses.outcome;
    // Every copy goes, whatever its interface: a demoted node must not answer for the VIP.
    const copies = addresses.value.filter((a) => a.ip === this.vip.ip);
    if (copies.length === 0) return ok(`VIP ${this.vip.ip} is not on this host`);
    for (const copy of copies) {
      const removed = await this.run(ctx, 'ip', ['addr', 'del', `${copy.ip}/${copy.prefixLength}`, 'dev', copy.ifname]);
      if (!removed.ok) return removed.outcome;
    }
    const after = await this.addresses(ctx);
    if (!after.ok) return after.outcome;
    if (after.value.some((a) => a.ip === this.vip.ip)) return outcome('failed', `VIP ${this.vip.ip} is still on this host after ip addr del`);
    return ok(`VIP ${this.vip.ip} removed from ${copies.map((c) => c.ifname).join(', ')}`);
  }

  async monitor(ctx: ResourceCallContext): Promise<Outcome<ResourceState>> {
    if (ctx.signal.aborted) return outcome('timeout', `monitor VIP ${this.vip.ip}: abandoned`);
    const where = await this.where(ctx);
    if (!where.ok) return withoutData(where.outcome);
    const addresses = await this.addresses(ctx);
    if (!addresses.ok) return withoutData(addresses.outcome);
    const placement = placementOf(addresses.value, this.vip.ip, where.value.iface, this.vip.prefixLength);
    if (placement.kind === 'absent') return outcome('not-running', `VIP ${this.vip.ip} is not on this host`);
    if (placement.kind === 'misplaced') return outcome('failed', placement.why);
    return ok(`VIP ${this.options.address} is on ${where.value.iface}`, { role: 'none' });
  }

  /** For runners that exit after start: resolves when the background announcements are over. */
  announcementsSettled(): Promise<void> {
    return this.burst.settled();
  }

  private async announce(iface: string, ctx: ResourceCallContext, said: string): Promise<Outcome> {
    const flavour = await this.arpingFlavour(ctx);
    if (!flavour.ok) return outcome('ok', `${said}, but not announced: ${flavour.outcome.reason}`);
    const failed = await this.burst.announce({ flavour: flavour.value, iface, ip: this.vip.ip }, this.options.garp, ctx.signal);
    // The address is up and monitor will say so; a lost announcement only delays clients, so start still succeeded.
    if (failed) return ok(`${said}, but the gratuitous ARP failed (${failed}); clients may keep the old MAC until their cache expires`);
    return ok(`${said}; gratuitous ARP sent (${this.options.garp.count} rounds, ${this.options.garp.intervalMs} ms apart)`);
  }

  /** Duplicate-address detection: ok only when probes went out and nobody answered. */
  private async probeOwner(flavour: ArpingFlavour, iface: string, ctx: ResourceCallContext): Promise<Step<void>> {
    const timeoutMs = this.options.dadTimeoutMs + 2000;
    const result = await this.runner.run({ file: 'arping', args: dadArgv(flavour, iface, this.vip.ip, this.options.dadTimeoutMs), timeoutMs, signal: ctx.signal, readOnly: true });
    if (result.kind !== 'exited') return { ok: false, outcome: commandFailure('arping (duplicate address check)', result) };
    const dad = parseDad(flavour, result);
    if (dad.kind === 'taken') {
      return stop('failed', `${this.vip.ip} is already answered for by MAC ${dad.mac ?? '(unknown)'} on ${iface}'s network: another host holds it; not adding a duplicate`);
    }
    if (dad.kind === 'error') return stop('failed', `duplicate address check for ${this.vip.ip} on ${iface} failed (${dad.message}); not adding the address unchecked`);
    return done(undefined);
  }

  private async where(ctx: ResourceCallContext): Promise<Step<Where>> {
    const iface = await this.interfaceName(ctx);
    if (!iface.ok) return iface;
    const label = this.options.label ?? `${iface.value}:vip`;
    if (label.length > MAX_LABEL_CHARS) return stop('config-error', `label "${label}" is longer than ${MAX_LABEL_CHARS} characters; set options.label to a shorter one starting with "${iface.value}:"`);
    if (label !== iface.value && !label.startsWith(`${iface.value}:`)) return stop('config-error', `options.label "${label}" must be "${iface.value}" or start with "${iface.value}:" (ip addr requires it)`);
    return done({ iface: iface.value, label });
  }

  private async interfaceName(ctx: ResourceCallContext): Promise<Step<string>> {
    if (this.options.interface) return done(this.options.interface);
    const nic = this.node.nics[this.options.nic];
    if (!nic) return stop('config-error', `node ${this.node.name} has no nics.${this.options.nic}; add it to the config or set options.interface`);
    if (nic.name) return done(nic.name);
    const addresses = await this.addresses(ctx);
    if (!addresses.ok) return addresses;
    const holder = addresses.value.find((a) => a.ip === nic.address);
    if (!holder) return stop('config-error', `no interface on this host has ${nic.address} (nodes.${this.node.name}.nics.${this.options.nic}); set its name in the config or options.interface`);
    return done(holder.ifname);
  }

  private async addresses(ctx: ResourceCallContext): Promise<Step<HostAddress[]>> {
    const shown = await this.run(ctx, 'ip', ['-j', 'addr', 'show'], true);
    if (!shown.ok) return shown;
    try {
      return done(parseIpAddrJson(shown.value));
    } catch (error) {
      return stop('unknown', `cannot read \`ip -j addr show\`: ${(error as Error).message}`);
    }
  }

  private async arpingFlavour(ctx: ResourceCallContext): Promise<Step<ArpingFlavour>> {
    if (this.flavour) return done(this.flavour);
    const result = await this.runner.run({ file: 'arping', args: ['--help'], timeoutMs: this.timeoutFor(ctx), signal: ctx.signal, readOnly: true });
    if (result.kind !== 'exited') return { ok: false, outcome: commandFailure('arping --help', result) };
    const flavour = detectFlavour(`${result.stdout}\n${result.stderr}`);
    if (!flavour) return stop('config-error', 'cannot tell which arping is installed from `arping --help`; set options.arping to "habets" or "iputils"');
    this.flavour = flavour;
    return done(flavour);
  }

  /** Run a command that must exit 0; its stdout on success. */
  private async run(ctx: ResourceCallContext, file: string, args: string[], readOnly = false): Promise<Step<string>> {
    const spec: CommandSpec = { file, args, timeoutMs: this.timeoutFor(ctx), signal: ctx.signal, readOnly };
    const result = await this.runner.run(spec);
    if (result.kind === 'exited' && result.exitCode === 0) return done(result.stdout);
    return { ok: false, outcome: commandFailure(`${file} ${args.join(' ')}`, result) };
  }

  private timeoutFor(ctx: ResourceCallContext): number {
    return Math.max(1, Math.min(COMMAND_TIMEOUT_MS, ctx.timeoutMs));
  }
}
