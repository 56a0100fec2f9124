export * from './deliberately-broken.js';
export * from './broken-resource-agents.js';
export * from './broken-probes.js';
export * from './broken-fencers.js';
export * from './broken-transports.js';
export * from './broken-recovery-strategies.js';
