import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { NicRole } from '../topology/lab-spec.js';
import { NIC_NAMES } from '../topology/lab-spec.js';
import { ControlClient } from './control-client.js';
import { hmp } from './hmp.js';
import { guestPaths, qemuArgv, type QemuGuest } from './qemu-argv.js';

export interface GuestExecOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Return a non-zero exit instead of throwing. */
  readonly allowFailure?: boolean;
}

export interface GuestExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** TCG boots the kernel, mounts 9p and starts node in 10-20 s on this machine kind; a loaded host takes longer. */
const BOOT_TIMEOUT_MS = 180_000;

/**
 * One qemu guest of the VM lab. Power is the qemu process: `powerOff` kills
 * it (no goodbye reaches anyone), `powerOn` boots it again on the same
 * disks and switch ports, with a fresh in-memory root.
 */
export class VmGuest {
  private child: ChildProcess | undefined;
  private control: ControlClient | undefined;

  constructor(
    readonly name: string,
    private readonly qemu: QemuGuest,
    private readonly switchNamespace: string,
    /** NIC role → addresses and the netdev index qemu knows it by. */
    readonly nics: readonly { readonly role: NicRole; readonly address: string; readonly index: number }[],
  ) {}

  get dir(): string {
    return this.qemu.dir;
  }

  get consoleLog(): string {
    return guestPaths(this.qemu.dir).console;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  address(role: NicRole = 'public'): string {
    const nic = this.nics.find((n) => n.role === role);
    if (!nic) throw new Error(`vm lab: ${this.name} has no ${role} NIC`);
    return nic.address;
  }

  async powerOn(): Promise<void> {
    if (this.running) return;
    // After a cut this lab did not make (the BMC's SIGKILL, a crash) the old channel is dead but still held.
    this.control?.close();
    this.control = undefined;
    const paths = guestPaths(this.qemu.dir);
    await rm(`${this.qemu.dir}/booted`, { force: true });
    await rm(paths.control, { force: true });
    const log = openSync(`${this.qemu.dir}/qemu.log`, 'a');
    // qemu runs in the switch namespace, where the taps and bridges are; the host's own namespace gets nothing.
    this.child = spawn('ip', ['netns', 'exec', this.switchNamespace, 'qemu-system-x86_64', ...qemuArgv(this.qemu)], { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.child.unref();
    const exited = new Promise<never>((_, reject) => {
      this.child?.once('exit', (code, signal) => reject(new Error(`vm lab: qemu for ${this.name} exited (${code ?? signal}) while booting; see ${this.qemu.dir}/qemu.log and ${paths.console}`)));
    });
    exited.catch(() => undefined);
    this.control = await Promise.race([ControlClient.connect(this.name, paths.control, 30_000), exited]);
    await Promise.race([this.waitReady(), exited]);
  }

  /** Pull the plug: SIGKILL to qemu. */
  async powerOff(): Promise<void> {
    const child = this.child;
    this.control?.close();
    this.control = undefined;
    if (!child || !this.running) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await Promise.race([gone, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`vm lab: qemu for ${this.name} did not die within 10 s of SIGKILL`)), 10_000))]);
    this.child = undefined;
  }

  async exec(argv: readonly string[], options: GuestExecOptions = {}): Promise<GuestExecResult> {
    // `running` also sees a qemu killed behind the lab's back (its BMC, a crash): node reaped it.
    if (!this.control || !this.running) throw new Error(`vm lab: ${this.name} is powered off; cannot run \`${argv.join(' ')}\``);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const reply = await this.control.request({ argv, timeoutMs, ...(options.input !== undefined ? { input: options.input } : {}), ...(options.env ? { env: options.env } : {}) });
    const exitCode = reply.exitCode ?? -1;
    if ((reply.error || reply.timedOut || exitCode !== 0) && !options.allowFailure) {
      const why = reply.error ?? (reply.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${reply.exitCode ?? reply.signal}`);
      throw new Error(`vm lab: on ${this.name}, \`${argv.join(' ')}\` ${why}: ${(reply.stderr || reply.stdout).trim().slice(-2000)}`);
    }
    return { exitCode, stdout: reply.stdout, stderr: reply.stderr, durationMs: reply.durationMs };
  }

  /** A shell snippet in the guest (sh -c). */
  sh(script: string, options: GuestExecOptions = {}): Promise<GuestExecResult> {
    return this.exec(['sh', '-c', script], options);
  }

  /** Cut the cable of one NIC (the guest sees NO-CARRIER; nothing passes either way). */
  async cutLink(role: NicRole): Promise<void> {
    await hmp(guestPaths(this.qemu.dir).monitor, `set_link n${this.nicIndex(role)} off`);
  }

  async restoreLink(role: NicRole): Promise<void> {
    await hmp(guestPaths(this.qemu.dir).monitor, `set_link n${this.nicIndex(role)} on`);
  }

  /** WAN conditions on one NIC's egress, with the guest kernel's netem (`delay 20ms 5ms loss 1%`); empty removes them. */
  async netem(role: NicRole, spec: readonly string[]): Promise<void> {
    const dev = NIC_NAMES[role];
    if (spec.length === 0) await this.exec(['tc', 'qdisc', 'del', 'dev', dev, 'root'], { allowFailure: true });
    else await this.exec(['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'netem', ...spec]);
  }

  /** The guest's block device for a lab disk id (virtio serial numbers carry the id; there is no udev). */
  async diskDevice(id: string): Promise<string> {
    const r = await this.sh(`for d in /sys/block/vd*; do [ "$(cat $d/serial 2>/dev/null)" = '${id}' ] && echo /dev/\${d##*/}; done`);
    const dev = r.stdout.trim().split('\n')[0];
    if (!dev) throw new Error(`vm lab: ${this.name} has no disk with serial ${id}`);
    return dev;
  }

  private nicIndex(role: NicRole): number {
    const nic = this.nics.find((n) => n.role === role);
    if (!nic) throw new Error(`vm lab: ${this.name} has no ${role} NIC`);
    return nic.index;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const r = await this.control?.request({ argv: ['cat', `${this.qemu.dir}/booted`], timeoutMs: 10_000 }).catch(() => undefined);
      if (r?.exitCode === 0) return;
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`vm lab: ${this.name} did not finish booting within ${BOOT_TIMEOUT_MS} ms; see ${this.consoleLog} and ${this.qemu.dir}/control.log`);
  }
}
