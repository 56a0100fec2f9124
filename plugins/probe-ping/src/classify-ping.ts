import { outcome, type CommandResult, type Outcome } from '@tandem/core';

/** What one finished ping run said, before latency is attached. */
export type PingVerdict = Outcome<{ readonly rttMs: number | undefined }>;

/** The round-trip time of the first reply (`time=0.031 ms`), if any. */
export function parseRttMs(stdout: string): number | undefined {
  const match = /time[=<]([\d.]+) ?ms/.exec(stdout);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** How many echo replies came back, from the summary line (`1 packets transmitted, 1 received`). */
export function parseReceived(stdout: string): number | undefined {
  const match = /(\d+) (?:packets )?received/.exec(stdout);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The first non-empty line of ping's complaint, for reasons. */
function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '(no output)';
}

/** Exit 2: ping could not even send. Sort the causes an operator must fix from a network that is down. */
function classifyError(where: string, stderr: string): PingVerdict {
  const line = firstLine(stderr);
  if (/Network is unreachable|No route to host|Host is unreachable/i.test(stderr)) return outcome('failed', `ping ${where}: ${line}`);
  if (/Name or service not known|Temporary failure in name resolution|unknown host/i.test(stderr)) {
    return outcome('config-error', `ping ${where}: cannot resolve the address (${line}); set options.address or the node's NIC address`);
  }
  if (/SO_BINDTODEVICE|No such device|unknown iface|Cannot assign requested address|invalid argument/i.test(stderr)) {
    return outcome('config-error', `ping ${where}: ${line}; check options.sourceInterface names an interface of this host`);
  }
  if (/Operation not permitted|Permission denied|socket:/i.test(stderr)) {
    return outcome('config-error', `ping ${where}: ${line}; ping needs CAP_NET_RAW or net.ipv4.ping_group_range covering the agent's group`);
  }
  return outcome('unknown', `ping ${where}: exit 2: ${line}`);
}

/**
 * Turn one ping run into an outcome. A reply is ok. No reply within ping's
 * own wait is `failed`: ICMP has no "refused", so silence is the answer a
 * network probe exists to catch, and it must count towards confirmation.
 * Only the caller's deadline firing first is `timeout`.
 */
export function classifyPing(where: string, result: CommandResult, timeoutMs: number): PingVerdict {
  switch (result.kind) {
    case 'not-installed':
      return outcome('not-installed', `ping is not installed on this host: apt-get install ${result.debianPackage ?? 'iputils-ping'}`);
    case 'timeout':
    case 'aborted':
      return outcome('timeout', `ping ${where}: no result within ${timeoutMs} ms`);
    case 'exited':
      break;
  }
  const received = parseReceived(result.stdout);
  if (result.exitCode === 0 && received !== undefined && received > 0) {
    const rttMs = parseRttMs(result.stdout);
    return outcome('ok', `ping ${where}: echo reply${rttMs === undefined ? '' : ` in ${rttMs} ms`}`, { rttMs });
  }
  if (result.exitCode === 1) {
    if (/Destination Host Unreachable/i.test(result.stdout)) return outcome('failed', `ping ${where}: destination host unreachable (no ARP answer on the link)`);
    if (/Destination Net Unreachable|Destination Port Unreachable|Packet filtered|Time to live exceeded/i.test(result.stdout)) {
      return outcome('failed', `ping ${where}: ${firstLine(result.stdout.split('\n').filter((l) => /Unreachable|filtered|exceeded/i.test(l)).join('\n'))}`);
    }
    return outcome('failed', `ping ${where}: no echo reply (${received ?? 0} received)`);
  }
  if (result.exitCode === 2) return classifyError(where, result.stderr || result.stdout);
  return outcome('unknown', `ping ${where}: exit ${result.exitCode}: ${firstLine(result.stderr || result.stdout)}`);
}
