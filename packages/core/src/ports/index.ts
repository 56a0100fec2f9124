export * from './clock.js';
export * from './simulated-clock.js';
export * from './command-runner.js';
export * from './execa-command-runner.js';
export * from './dry-run-command-runner.js';
export * from './logger.js';
export * from './coordination-store.js';
export * from './node-memory.js';
