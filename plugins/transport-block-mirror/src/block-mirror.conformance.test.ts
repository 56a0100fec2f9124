import { SystemClock, type NodeInfo } from '@tandem/core';
import { describeReplicationTransportConformance } from '@tandem/testkit';
import { WalTools } from '@tandem/plugin-transport-wal-mirror';
import { BlockMirrorTransport } from './block-mirror-transport.js';
import { blockMirrorOptions } from './options.js';
import { FakeBlockHost } from './test-support/fake-block-host.js';

const s1: NodeInfo = { name: 's1', nics: { storage: { name: 'eth1', address: '198.51.100.11', prefixLength: 25 } } };
const s2: NodeInfo = { name: 's2', nics: { storage: { name: 'eth1', address: '198.51.100.12', prefixLength: 25 } } };
const options = blockMirrorOptions.parse({ arrayUuid: '6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6', localDevice: '/dev/vdb', initiatorIqn: 'iqn.2026-12.org.tandem:{node}', mountPath: '/srv/wal-mirror', stagingDir: '/srv/wal-inflight', binDir: '/usr/lib/postgresql/15/bin' });

/** The conformance suite calls start without a primary: this node is the primary, the source side runs (login, assemble, mount). */
function subject(host: FakeBlockHost): { transport: BlockMirrorTransport; busy: () => Promise<boolean>; cleanup: () => Promise<void> } {
  const transport = new BlockMirrorTransport(options, host, new WalTools(host, options.binDir, 'postgres', true), { self: s1, nodes: [s1, s2] }, new SystemClock());
  return { transport, busy: async () => host.running > 0, cleanup: async () => undefined };
}

describeReplicationTransportConformance('transport-block-mirror (simulated node)', {
  async create() {
    return subject(new FakeBlockHost());
  },
  async slow() {
    const host = new FakeBlockHost();
    // The standby's portal never answers the login.
    host.hangOn = /^iscsiadm .*--login/;
    return subject(host);
  },
});
