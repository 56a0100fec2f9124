/**
 * Two unrelated programs are called `arping` on Debian, with different flags
 * and exit codes:
 * - Thomas Habets' arping (package `arping`, the one Debian installs by that
 *   name): `-i` interface, `-0` probe from 0.0.0.0, `-U` unsolicited request,
 *   `-P` send replies, `-S` source address, `-w` deadline, `-W` interval.
 *   Its `-U` alone keeps the host's own address as the sender: that is no
 *   gratuitous ARP at all, so `-S <vip>` is required. Its `-D` and `-A` mean
 *   something else entirely (display, address filtering).
 * - iputils' arping (package `iputils-arping`): `-I` interface, `-D` duplicate
 *   address detection, `-U` unsolicited request and `-A` unsolicited reply,
 *   both with the target as sender.
 */
export type ArpingFlavour = 'habets' | 'iputils';

/** The two forms of a gratuitous ARP: a request and a reply, both saying "ip is at my MAC". */
export type GarpForm = 'request' | 'reply';
export const GARP_FORMS: readonly GarpForm[] = ['request', 'reply'];

/** Seconds as arping takes them, from milliseconds, without float noise. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** Probe for an owner of `ip` without claiming it (sender 0.0.0.0, as RFC 5227 asks). */
export function dadArgv(flavour: ArpingFlavour, iface: string, ip: string, timeoutMs: number): string[] {
  if (flavour === 'habets') {
    return ['-0', '-c', '2', '-W', seconds(timeoutMs / 2), '-w', seconds(timeoutMs), '-i', iface, ip];
  }
  // iputils takes whole seconds for -w; round up so the probe is never shorter than asked.
  return ['-D', '-c', '2', '-w', String(Math.max(1, Math.ceil(timeoutMs / 1000))), '-I', iface, ip];
}

/**
 * One gratuitous ARP of the given form: sender and target address are both
 * the VIP, broadcast, from this interface's MAC. Habets' arping waits `-w`
 * for answers nobody sends, so it is kept short.
 */
export function garpArgv(flavour: ArpingFlavour, form: GarpForm, iface: string, ip: string): string[] {
  if (flavour === 'habets') {
    return ['-U', ...(form === 'reply' ? ['-P'] : []), '-S', ip, '-c', '1', '-w', '0.05', '-i', iface, ip];
  }
  return [form === 'reply' ? '-A' : '-U', '-c', '1', '-I', iface, ip];
}

/** Which arping answered `arping --help` (both print usage; only the texts differ). */
export function detectFlavour(helpText: string): ArpingFlavour | undefined {
  if (/Habets/i.test(helpText)) return 'habets';
  if (/iputils/i.test(helpText) || /-I <?(device|interface)>?/.test(helpText)) return 'iputils';
  return undefined;
}
