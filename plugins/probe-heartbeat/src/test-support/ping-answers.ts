import type { CommandResult, CommandSpec, NodeInfo } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';

/*
 * iputils ping output, written from the format ping prints (the same lines
 * probe-ping's tests capture from a real run): a reply, silence within -W,
 * "Destination Host Unreachable" (no ARP answer on the link), and exit 2
 * when the local interface is down.
 */
export const reply = (address: string): string =>
  `PING ${address} (${address}) 56(84) bytes of data.\n64 bytes from ${address}: icmp_seq=1 ttl=64 time=0.061 ms\n\n--- ${address} ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.061/0.061/0.061/0.000 ms\n`;
export const silence = (address: string): string =>
  `PING ${address} (${address}) 56(84) bytes of data.\n\n--- ${address} ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n`;
export const noArp = (address: string, from: string): string =>
  `PING ${address} (${address}) from ${from} eth2: 56(84) bytes of data.\nFrom ${from} icmp_seq=1 Destination Host Unreachable\n\n--- ${address} ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n`;

export type Answer = 'reply' | 'silent' | 'no-arp' | 'local-down' | 'timeout' | 'garbage' | 'no-device' | 'not-installed';

const nic = (name: string, address: string, prefixLength = 25) => ({ name, address, prefixLength });

/** The agent's own host: four named NICs, as in examples/postgres-zero-loss.yaml. */
export const local: NodeInfo = {
  name: 's1',
  nics: { public: nic('eth0', '192.0.2.11', 24), storage: nic('eth1', '198.51.100.11'), privateA: nic('eth2', '198.51.100.139'), privateB: nic('eth3', '203.0.113.11') },
};

/** The peer being probed. */
export const peer: NodeInfo = {
  name: 's2',
  nics: { public: nic('eth0', '192.0.2.12', 24), storage: nic('eth1', '198.51.100.12'), privateA: nic('eth2', '198.51.100.140'), privateB: nic('eth3', '203.0.113.12') },
};

export type Network = 'public' | 'storage' | 'privateA' | 'privateB';

function result(kind: Answer, address: string): CommandResult {
  switch (kind) {
    case 'reply':
      return answer.exit(0, reply(address));
    case 'silent':
      return answer.exit(1, silence(address));
    case 'no-arp':
      return answer.exit(1, noArp(address, '198.51.100.139'));
    case 'local-down':
      return answer.exit(2, '', 'ping: connect: Network is unreachable\n');
    case 'timeout':
      return answer.timeout();
    case 'garbage':
      return answer.exit(0, 'something ping never prints');
    case 'no-device':
      return answer.exit(2, '', 'ping: SO_BINDTODEVICE eth9: No such device\n');
    case 'not-installed':
      return answer.notInstalled('ping', 'iputils-ping');
  }
}

/** A recording runner whose ping answers per network of the peer; networks left out reply. */
export function pingRunner(answers: Partial<Record<Network, Answer>>, target: NodeInfo = peer) {
  const byAddress = new Map<string, Answer>();
  for (const [role, kind] of Object.entries(answers) as [Network, Answer][]) {
    const address = target.nics[role]?.address;
    if (address) byAddress.set(address, kind);
  }
  return recordingRunner([{ program: 'ping', result: (spec: CommandSpec) => result(byAddress.get(spec.args.at(-1) ?? '') ?? 'reply', spec.args.at(-1) ?? '') }]);
}
