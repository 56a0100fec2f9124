export * from './ipmi-sim-harness.js';
export * from './ipmi-sim-files.js';
export * from './rmcp-ping.js';
export * from './free-udp-port.js';
