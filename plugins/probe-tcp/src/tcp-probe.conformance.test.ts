import { SystemClock, type NodeInfo } from '@tandem/core';
import { describeHealthProbeConformance, startStalledTcpListener, startTcpListener, type HealthProbeSubject } from '@tandem/testkit';
import { TcpProbe } from './tcp-probe.js';
import { tcpProbeOptions } from './tcp-probe-options.js';

// The listener binds 127.0.0.1 only, so the same port on 127.0.0.2 is refused: a dead target on loopback.
const node = (name: string, address: string): NodeInfo => ({ name, nics: { public: { name: 'lo', address, prefixLength: 8 } } });

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

function subjectFor(port: number, release: () => Promise<void>): HealthProbeSubject {
  const baseline = openSockets();
  return {
    probe: new TcpProbe(tcpProbeOptions.parse({ port }), new SystemClock()),
    healthy: node('db1', '127.0.0.1'),
    dead: node('db2', '127.0.0.2'),
    busy: async () => openSockets() > baseline,
    cleanup: release,
  };
}

describeHealthProbeConformance('probe-tcp against real loopback listeners', {
  create: async () => {
    const listener = await startTcpListener();
    return subjectFor(listener.port, () => listener.close());
  },
  slow: async () => {
    const stalled = await startStalledTcpListener();
    return subjectFor(stalled.port, () => stalled.close());
  },
});
