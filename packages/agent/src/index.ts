import 'reflect-metadata';

export * from './status-report.js';
export * from './metrics.js';
export * from './status-server.js';
export * from './open-store.js';
export * from './gateway-checkers.js';
export * from './preflight.js';
export * from './start-agent.js';
export * from './compose-local.js';
export * from './metered-probes.js';
export * from './graceful-stop.js';
export * from './store-identity.js';
export * from './node-memory-file.js';
