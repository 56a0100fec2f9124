export { BaseCommand, LOG_LEVELS, type BaseArgs, type BaseFlags, type LogLevel } from './base-command.js';
export { classifyError, renderError, type ErrorPayload } from './error-payload.js';
export { discoverPlugins, discoveryRoots, type DiscoveryContext, type DiscoveryRoot } from './plugin-discovery.js';
export { configFileArg, resolveConfigPath } from './config-file.js';
export { explainConfig } from './explain-config.js';
