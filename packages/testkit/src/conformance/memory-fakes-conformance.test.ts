// The suites must pass against the correct in-memory reference implementations;
// otherwise a failure against a real plugin would prove nothing.
import { memoryAgentFactory, memoryFencerFactory, memoryProbeFactory, memoryStrategyFactory, memoryTransportFactory } from '../broken/deliberately-broken.js';
import { describeFencerConformance } from './fencer-conformance.js';
import { describeHealthProbeConformance } from './health-probe-conformance.js';
import { describeRecoveryStrategyConformance } from './recovery-strategy-conformance.js';
import { describeReplicationTransportConformance } from './replication-transport-conformance.js';
import { describeResourceAgentConformance } from './resource-agent-conformance.js';

describeResourceAgentConformance('MemoryResourceAgent', memoryAgentFactory());
describeHealthProbeConformance('MemoryHealthProbe', memoryProbeFactory());
describeFencerConformance('MemoryFencer', memoryFencerFactory());
describeReplicationTransportConformance('MemoryReplicationTransport', memoryTransportFactory());
describeRecoveryStrategyConformance('MemoryRecoveryStrategy', memoryStrategyFactory());
