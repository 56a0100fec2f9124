/* Test-only: the lab, in one import place for this plugin's lab tests. */
export { Lab, serversNamed, waitForPort, injectFault } from '@tandem/lab';
