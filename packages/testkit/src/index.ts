export * from './conformance/index.js';
export * from './fakes/index.js';
export * from './broken/index.js';
export * from './targets/index.js';
export * from './store/index.js';
export * from './ipmi/index.js';
export * from './postgres/index.js';
