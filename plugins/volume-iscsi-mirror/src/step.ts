// The core's step helpers, under the name this plugin's modules import.
export { commandFailure, done, stop, withoutData, type Step } from '@tandem/core';
