import 'reflect-metadata';

export * from './contracts/index.js';
export * from './ports/index.js';
export * from './config/index.js';
export * from './plugins/index.js';
export * from './errors.js';
export * from './call.js';
export * from './store/index.js';
export * from './ha/index.js';
