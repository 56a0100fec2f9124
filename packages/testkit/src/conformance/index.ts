export * from './check.js';
export * from './expect-outcome.js';
export * from './invoke.js';
export * from './health-probe-conformance.js';
export * from './fencer-conformance.js';
export * from './replication-transport-conformance.js';
export * from './recovery-strategy-conformance.js';
export * from './resource-agent-conformance.js';
