/* Test-only: the lab, in one import place for this plugin's lab tests. */
export { Lab, NetnsCommandRunner, serversNamed, injectFault, type ActiveFault, type FaultSpec } from '@tandem/lab';
