export * from './tcp-targets.js';
