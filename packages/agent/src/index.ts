import 'reflect-metadata';

export * from './agent-status.js';
export * from './metrics.js';
export * from './status-server.js';
