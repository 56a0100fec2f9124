import type { NicRole } from '../topology/lab-spec.js';

/** Every fault the lab can inject. Each one is undone by its `heal()`. */
export type FaultSpec =
  /** A power cut through the server's BMC (real IPMI); heal powers it on, which reboots its services. */
  | { readonly kind: 'power-off'; readonly host: string }
  /** SIGSTOP every process of a host; heal sends SIGCONT. */
  | { readonly kind: 'freeze-host'; readonly host: string }
  /**
   * SIGSTOP one service: the lab's own service's process group, or, when the
   * lab does not run it (an agent started it), the process whose pid is the
   * first line of `pidFile` (e.g. a data directory's postmaster.pid) and its children.
   */
  | { readonly kind: 'freeze-service'; readonly host: string; readonly service: string; readonly pidFile?: string }
  | { readonly kind: 'nic-down'; readonly host: string; readonly nic: NicRole }
  /**
   * Packets from `from` to `to` are dropped at `to` (a one-way loss); with
   * `twoWay` the replies are dropped at `from` too. Narrowed to one NIC's
   * addresses and/or one TCP/UDP port of `to` when given.
   */
  | { readonly kind: 'drop'; readonly from: string; readonly to: string; readonly twoWay: boolean; readonly nic?: NicRole; readonly port?: number }
  /** Every data NIC of the host drops everything in and out; the BMC network stays (as in a real switch partition). */
  | { readonly kind: 'isolate'; readonly host: string }
  /** The gateway stops answering: its link goes down. */
  | { readonly kind: 'gateway-down' }
  /** The store host becomes unreachable: its link goes down (its data survives). */
  | { readonly kind: 'store-down' }
  /**
   * Incoming TCP connections to `port` on the host's `nic` pass through a
   * userspace proxy that adds delay and loss (the host kernel has no netem).
   */
  | { readonly kind: 'link-delay'; readonly host: string; readonly port: number; readonly nic?: NicRole; readonly delayMs: number; readonly lossPercent?: number };

export type FaultKind = FaultSpec['kind'];

export interface ActiveFault {
  readonly spec: FaultSpec;
  readonly startedAtMs: number;
  /** Undo the fault. Throws if it could not: a fault left in place would poison the next test. */
  heal(): Promise<void>;
}

export function describeFault(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'power-off':
      return `power off ${spec.host}`;
    case 'freeze-host':
      return `freeze host ${spec.host}`;
    case 'freeze-service':
      return `freeze ${spec.service} on ${spec.host}`;
    case 'nic-down':
      return `${spec.nic} NIC of ${spec.host} down`;
    case 'drop':
      return `drop ${spec.twoWay ? 'both ways' : 'one way'} ${spec.from} -> ${spec.to}${spec.nic ? ` on ${spec.nic}` : ''}${spec.port ? ` port ${spec.port}` : ''}`;
    case 'isolate':
      return `isolate ${spec.host}`;
    case 'gateway-down':
      return 'gateway down';
    case 'store-down':
      return 'store down';
    case 'link-delay':
      return `delay ${spec.delayMs} ms${spec.lossPercent ? ` and ${spec.lossPercent}% loss` : ''} into ${spec.host}:${spec.port}`;
  }
}
