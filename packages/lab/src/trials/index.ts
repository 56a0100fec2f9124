export * from './trial-records.js';
export * from './restore-point.js';
export * from './summarize-trials.js';
export * from './lab-vip.js';
export * from './run-failover-trials.js';
export * from './background-load.js';
export * from './tandem-trials.js';
