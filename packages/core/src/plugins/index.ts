export * from './manifest.js';
export * from './catalog.js';
export * from './compose.js';
export * from './command-step.js';
