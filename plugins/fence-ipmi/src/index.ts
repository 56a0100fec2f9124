import { ContainerModule } from 'inversify';
import { Fencer, definePlugin } from '@tandem/core';
import { IpmiFencer } from './ipmi-fencer.js';
import { ipmiFenceOptions } from './options.js';

export { IpmiFencer, VERIFIED_OFF } from './ipmi-fencer.js';
export { ipmiFenceOptions, PRIVILEGE_LEVELS, type IpmiFenceOptions, type IpmiFenceOptionsInput } from './options.js';
export { ipmitoolArgs, ipmitoolSpec, type BmcTarget, type PowerVerb } from './ipmitool-command.js';
export { classifyRun, parsePowerStatus, stderrSummary, type PowerState } from './classify-ipmitool.js';

/** The `fence-ipmi` plugin: power fencing through the node's BMC with ipmitool (lanplus). */
const fenceIpmi = definePlugin({
  id: 'fence-ipmi',
  version: '0.1.0',
  description: 'Fence a node by powering it off through its BMC (IPMI over LAN, ipmitool lanplus)',
  provides: ['Fencer'],
  options: ipmiFenceOptions,
  requires: () => [{ file: 'ipmitool', debianPackage: 'ipmitool', why: 'sends chassis power off/on/status to the BMC over IPMI LAN (lanplus)' }],
  // PluginOptions, Clock and CommandRunner come from the core's containers.
  module: () =>
    new ContainerModule(({ bind }) => {
      bind(Fencer).to(IpmiFencer).inSingletonScope();
    }),
});

export default fenceIpmi;
