export * from './schema.js';
export * from './addresses.js';
export * from './secret.js';
export * from './load.js';
export * from './format-issues.js';
export * from './cross-check.js';
export * from './resolve-node.js';
export * from './json-schema.js';
