export * from './redis-coordination-store.js';
export * from './redis-connection-options.js';
export * from './create-redis-store.js';
export { redisKeys, type RedisKeys } from './redis-keys.js';
