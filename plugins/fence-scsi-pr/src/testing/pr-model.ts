import { DryRunCommandRunner, type CommandResult, type CommandSpec } from '@tandem/core';

/**
 * A tiny in-memory model of SCSI-3 persistent reservations (SPC-4, the parts
 * this plugin uses) that answers sg_persist argv with the text sg_persist
 * prints. Each runner from `initiator(name)` is one I_T nexus: registrations
 * belong to the initiator that sent them, as on a real target.
 *
 * The answers' wording was written from sg3-utils' documented output
 * (sg_persist 0.67, `--no-inquiry`); CHECK against a real LIO target in the
 * VM lab.
 */
interface Device {
  generation: number;
  readonly registrations: Map<string, bigint>;
  reservation: { initiator: string; type: number } | undefined;
  offline: boolean;
  /** Initiators whose next command gets a unit attention (their registration was preempted). */
  readonly attention: Set<string>;
}

const TYPE_TEXT: Record<number, string> = { 5: 'Write Exclusive, registrants only', 6: 'Exclusive Access, registrants only' };
const exit = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 });
const CONFLICT = () => exit(24, '', 'persistent reserve out: Reservation conflict\n');
const hex = (k: bigint) => `0x${k.toString(16)}`;

export class PrModel {
  private readonly devices = new Map<string, Device>();
  /** What `iscsiadm -m session -P 3` prints (exit 21 "No active sessions" when undefined). */
  sessions: string | undefined;
  /** Every sg_persist call, with the initiator that sent it. */
  readonly log: { initiator: string; args: readonly string[] }[] = [];

  constructor(paths: readonly string[]) {
    for (const p of paths) this.devices.set(p, { generation: 0, registrations: new Map(), reservation: undefined, offline: false, attention: new Set() });
  }

  /** The command runner of one initiator (one node's view of the LUNs). */
  initiator(name: string): DryRunCommandRunner {
    return new DryRunCommandRunner({ responder: (spec) => this.answer(name, spec) });
  }

  /** Set up a table directly (the state a previous primary left). */
  register(initiator: string, path: string, key: bigint, reserveType?: number): void {
    const d = this.device(path);
    d.registrations.set(initiator, key);
    d.generation++;
    if (reserveType !== undefined) d.reservation = { initiator, type: reserveType };
  }

  setOffline(path: string, offline: boolean): void {
    this.device(path).offline = offline;
  }

  keys(path: string): bigint[] {
    return [...this.device(path).registrations.values()];
  }

  holderKey(path: string): bigint | undefined {
    const d = this.device(path);
    return d.reservation ? d.registrations.get(d.reservation.initiator) : undefined;
  }

  /** What the target does with a WRITE from `initiator`: refused with a reservation conflict unless registered (registrants-only types). */
  canWrite(initiator: string, path: string): boolean {
    const d = this.device(path);
    return d.reservation === undefined || d.registrations.has(initiator);
  }

  private device(path: string): Device {
    const d = this.devices.get(path);
    if (!d) throw new Error(`PrModel: no device ${path}`);
    return d;
  }

  private answer(initiator: string, spec: CommandSpec): CommandResult | undefined {
    if (spec.file === 'iscsiadm') return this.sessions === undefined ? exit(21, '', 'iscsiadm: No active sessions.\n') : exit(0, this.sessions);
    if (spec.file !== 'sg_persist') return undefined;
    const args = spec.args.map(String);
    this.log.push({ initiator, args });
    const path = args.at(-1) ?? '';
    const d = this.devices.get(path);
    if (!d || d.offline) return exit(15, '', `sg_persist: error opening file: ${path}: No such device or address\n`);
    if (d.attention.delete(initiator)) return exit(6, '', 'persistent reserve: Unit attention\n');
    const flag = (name: string) => args.includes(name);
    const value = (name: string): bigint => {
      const v = args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1) ?? '0';
      return BigInt(v.startsWith('0x') ? v : `0x${v}`);
    };
    const type = Number(args.find((a) => a.startsWith('--prout-type='))?.slice('--prout-type='.length) ?? '0');
    if (flag('--read-keys')) return exit(0, this.keysText(d));
    if (flag('--read-reservation')) return exit(0, this.reservationText(d));
    if (flag('--register-ignore')) return this.setKey(d, initiator, value('--param-sark'));
    if (flag('--register')) {
      const current = d.registrations.get(initiator) ?? 0n;
      return value('--param-rk') === current ? this.setKey(d, initiator, value('--param-sark')) : CONFLICT();
    }
    const mine = d.registrations.get(initiator);
    if (mine === undefined || mine !== value('--param-rk')) return CONFLICT();
    if (flag('--reserve')) {
      if (d.reservation && (d.reservation.initiator !== initiator || d.reservation.type !== type)) return CONFLICT();
      d.reservation = { initiator, type };
      return exit(0);
    }
    if (flag('--preempt') || flag('--preempt-abort')) return this.preempt(d, initiator, value('--param-sark'), type);
    return exit(1, '', 'PrModel: request not modelled\n');
  }

  private setKey(d: Device, initiator: string, key: bigint): CommandResult {
    if (key === 0n) {
      d.registrations.delete(initiator);
      // Registrants-only types: the holder unregistering releases the reservation.
      if (d.reservation?.initiator === initiator) d.reservation = undefined;
    } else d.registrations.set(initiator, key);
    d.generation++;
    return exit(0);
  }

  private preempt(d: Device, initiator: string, victim: bigint, type: number): CommandResult {
    const holderKey = d.reservation ? d.registrations.get(d.reservation.initiator) : undefined;
    const losers = [...d.registrations].filter(([i, k]) => k === victim && i !== initiator).map(([i]) => i);
    if (losers.length === 0 && holderKey !== victim) return CONFLICT();
    for (const i of losers) {
      d.registrations.delete(i);
      d.attention.add(i);
    }
    if (holderKey === victim) d.reservation = { initiator, type };
    d.generation++;
    return exit(0);
  }

  private keysText(d: Device): string {
    const keys = [...d.registrations.values()];
    const head = `  PR generation=0x${d.generation.toString(16)}, `;
    if (keys.length === 0) return `${head}there are NO registered reservation keys\n`;
    return `${head}${keys.length} registered reservation key${keys.length === 1 ? '' : 's'} follow${keys.length === 1 ? 's' : ''}:\n${keys.map((k) => `    ${hex(k)}\n`).join('')}`;
  }

  private reservationText(d: Device): string {
    const head = `  PR generation=0x${d.generation.toString(16)}, `;
    const key = d.reservation ? d.registrations.get(d.reservation.initiator) : undefined;
    if (!d.reservation || key === undefined) return `${head}there is NO reservation held\n`;
    return `${head}Reservation follows:\n    Key=${hex(key)}\n    scope: LU_SCOPE,  type: ${TYPE_TEXT[d.reservation.type] ?? `type ${d.reservation.type}`}\n`;
  }
}
