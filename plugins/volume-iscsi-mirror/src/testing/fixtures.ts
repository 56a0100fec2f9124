import { SystemClock, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { FakeMirrorHost } from '../fake-mirror-host.js';
import { MirrorVolume } from '../mirror-volume.js';
import { volumeOptions, type VolumeOptions, type VolumeOptionsInput } from '../options.js';
import { VolumeAgent } from '../volume-agent.js';

export const ARRAY_UUID = '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1';

export function testOptions(over: Partial<VolumeOptionsInput> = {}): VolumeOptions {
  return volumeOptions.parse({
    arrayUuid: ARRAY_UUID,
    initiatorIqn: 'iqn.2026-12.org.tandem:{node}',
    arrays: [
      { name: 'array1', portal: '198.51.100.21', targetIqn: 'iqn.2026-12.org.tandem:array1', device: '/dev/vdb' },
      { name: 'array2', portal: '198.51.100.22', targetIqn: 'iqn.2026-12.org.tandem:array2', device: '/dev/vdb' },
    ],
    ...over,
  });
}

export const db1: NodeInfo = {
  name: 'db1',
  nics: { public: { name: 'eth0', address: '192.0.2.11', prefixLength: 24 }, storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 24 } },
};
export const db2: NodeInfo = {
  name: 'db2',
  nics: { public: { name: 'eth0', address: '192.0.2.12', prefixLength: 24 }, storage: { name: 'eth1', address: '198.51.100.12', prefixLength: 24 } },
};

export function ctx(timeoutMs = 10_000): ResourceCallContext {
  return { signal: new AbortController().signal, timeoutMs, epoch: 1 };
}

/** An agent on a simulated node whose LUNs attach as sdb and sdc. */
export function agentOn(host?: (h: FakeMirrorHost) => void, over: Partial<VolumeOptionsInput> = {}, node: NodeInfo = db1): { agent: VolumeAgent; host: FakeMirrorHost; volume: MirrorVolume } {
  const options = testOptions(over);
  const fake = new FakeMirrorHost(options, ['sdb', 'sdc']).withCreatedArray();
  host?.(fake);
  const volume = new MirrorVolume(options, node, { runner: fake, clock: new SystemClock(), chapPassword: () => (options.chap ? 's3cret-chap-pw' : undefined) });
  return { agent: new VolumeAgent(volume), host: fake, volume };
}
