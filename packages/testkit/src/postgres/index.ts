export * from './postgres-bin-dir.js';
export * from './as-postgres-user.js';
export * from './postgres-conf.js';
export * from './postgres-server.js';
