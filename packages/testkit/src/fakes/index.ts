export { SimulatedClock, DryRunCommandRunner, DryRunCommandRunner as RecordingCommandRunner, MemoryLogger } from '@tandem/core';
export * from './abort-helpers.js';
export * from './recording-runner.js';
export * from './memory-resource-agent.js';
export * from './memory-fencer.js';
export * from './memory-health-probe.js';
export * from './memory-replication-transport.js';
export * from './memory-recovery-strategy.js';
