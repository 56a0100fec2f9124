export * from './sqlite-coordination-store.js';
export * from './create-embedded-store.js';
export { SCHEMA_VERSION, openStoreDatabase } from './sqlite-schema.js';
