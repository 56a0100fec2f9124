import type { CommandResult, CommandRunner, CommandSpec } from '@tandem/core';

/** One address of the simulated host. */
export interface FakeAddress {
  readonly ifname: string;
  readonly cidr: string;
  readonly label?: string;
}

export interface FakeHostOptions {
  /** Interfaces the host has (an `ip addr add` on another one fails like the real thing). */
  readonly interfaces?: readonly string[];
  readonly addresses?: readonly FakeAddress[];
  /** MAC of another host that answers ARP for every probed address. */
  readonly ownerMac?: string;
  /** The duplicate-address probe never ends until its signal fires: a slow start. */
  readonly hangDad?: boolean;
  /** `arping` is missing. */
  readonly noArping?: boolean;
}

const exited = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 });

/**
 * A simulated Linux host for the VIP agent's unit and conformance tests: it
 * keeps an address table, answers `ip -j addr show`, `ip addr add/del`, and
 * behaves like Thomas Habets' arping (exit 1 and statistics when nobody
 * answers, exit 0 with the answering MAC otherwise). Every call is recorded.
 */
export class FakeHostRunner implements CommandRunner {
  readonly recorded: CommandSpec[] = [];
  addresses: FakeAddress[];
  inFlight = 0;
  private readonly interfaces: readonly string[];

  constructor(private readonly options: FakeHostOptions = {}) {
    this.interfaces = options.interfaces ?? ['lo', 'eth0', 'eth1'];
    this.addresses = [...(options.addresses ?? [{ ifname: 'eth0', cidr: '192.0.2.11/24' }])];
  }

  async which(file: string): Promise<string | undefined> {
    return file === 'arping' && this.options.noArping ? undefined : `/usr/sbin/${file}`;
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    this.recorded.push(spec);
    if (spec.signal?.aborted) return { kind: 'aborted', durationMs: 0 };
    this.inFlight += 1;
    try {
      if (spec.file === 'ip') return this.ip(spec.args.map(String));
      if (spec.file === 'arping') return await this.arping(spec);
      return exited(127, '', `${spec.file}: not simulated`);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The argv of every call, as `file arg arg ...`. */
  lines(): string[] {
    return this.recorded.map((s) => [s.file, ...s.args].join(' '));
  }

  private ip(args: readonly string[]): CommandResult {
    const [a, b, cidr, , ifname, , label] = args;
    if (a === '-j') return exited(0, JSON.stringify(this.showJson()));
    if (a !== 'addr' || !cidr || !ifname) return exited(1, '', 'Command line is not complete. Try option "help"');
    if (!this.interfaces.includes(ifname)) return exited(1, '', `Cannot find device "${ifname}"`);
    const index = this.addresses.findIndex((x) => x.cidr === cidr && x.ifname === ifname);
    if (b === 'add') {
      if (index >= 0) return exited(2, '', 'RTNETLINK answers: File exists');
      this.addresses.push({ ifname, cidr, ...(label ? { label } : {}) });
      return exited(0);
    }
    if (b === 'del') {
      if (index < 0) return exited(2, '', 'RTNETLINK answers: Cannot assign requested address');
      this.addresses.splice(index, 1);
      return exited(0);
    }
    return exited(1, '', `unknown ip addr command ${b ?? ''}`);
  }

  private showJson(): unknown[] {
    return this.interfaces.map((ifname, i) => ({
      ifindex: i + 1,
      ifname,
      addr_info: this.addresses
        .filter((x) => x.ifname === ifname)
        .map((x) => {
          const [local, prefix] = x.cidr.split('/');
          return { family: 'inet', local, prefixlen: Number(prefix), scope: 'global', label: x.label ?? ifname };
        }),
    }));
  }

  private async arping(spec: CommandSpec): Promise<CommandResult> {
    if (this.options.noArping) return { kind: 'not-installed', file: 'arping', debianPackage: 'arping', message: 'arping is not installed: install the Debian package "arping" (apt-get install arping)' };
    const args = spec.args.map(String);
    if (args[0] === '--help') return exited(0, 'ARPing 2.23, by Thomas Habets <thomas@habets.se>\nusage: arping [ -0aAbdDeFpPqrRuUvzZ ] ...');
    const target = args[args.length - 1] ?? '';
    const iface = args[args.indexOf('-i') + 1] ?? '';
    if (!this.interfaces.includes(iface)) return exited(1, '', `arping: libnet_init(LIBNET_LINK, ${iface}): libnet_check_iface() ioctl: No such device`);
    if (args[0] === '-0') {
      if (this.options.hangDad) return this.waitForAbort(spec);
      if (this.options.ownerMac) return exited(0, `ARPING ${target}\n42 bytes from ${this.options.ownerMac} (${target}): index=0 time=10.606 usec\n`);
      return exited(1, `ARPING ${target}\nTimeout\nTimeout\n\n--- ${target} statistics ---\n2 packets transmitted, 0 packets received, 100% unanswered (0 extra)\n`);
    }
    return exited(1, `ARPING ${target}\nTimeout\n\n--- ${target} statistics ---\n1 packets transmitted, 0 packets received, 100% unanswered (0 extra)\n`);
  }

  /** Hang like a stuck probe until the caller's signal fires; the command's own timeout still bounds it, as with execa. */
  private waitForAbort(spec: CommandSpec): Promise<CommandResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout', stdout: '', stderr: '', durationMs: spec.timeoutMs }), spec.timeoutMs);
      spec.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ kind: 'aborted', durationMs: 0 });
      }, { once: true });
    });
  }
}
