export * from './memory-store.js';
export * from './merge-settings.js';
export * from './store-limits.js';
export * from './stored-records.js';
