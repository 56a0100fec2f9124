export * from './outcome.js';
export * from './node-info.js';
export * from './health-probe.js';
export * from './fencer.js';
export * from './replication-transport.js';
export * from './recovery-strategy.js';
export * from './resource-agent.js';

/** The contract names a plugin manifest may list under `provides`. */
export type ContractName = 'HealthProbe' | 'Fencer' | 'ReplicationTransport' | 'RecoveryStrategy' | 'ResourceAgent';
export const CONTRACT_NAMES: readonly ContractName[] = [
  'HealthProbe',
  'Fencer',
  'ReplicationTransport',
  'RecoveryStrategy',
  'ResourceAgent',
];
