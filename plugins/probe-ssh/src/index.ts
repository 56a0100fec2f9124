import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, HealthProbe } from '@tandem/core';
import { SshProbe } from './ssh-probe.js';
import { sshProbeOptions } from './ssh-probe-options.js';

export { SshProbe } from './ssh-probe.js';
export { sshProbeOptions, type SshProbeOptions, type SshProbeOptionsInput } from './ssh-probe-options.js';
export { connectTimeoutSeconds, sshArgs, sshSpec } from './ssh-command.js';
export { classifySsh } from './classify-ssh.js';

export default definePlugin({
  id: 'probe-ssh',
  version: '0.1.0',
  description: 'Health probe: can the agent log in to the target with OpenSSH (key auth, strict host keys) and run true?',
  provides: ['HealthProbe'],
  options: sshProbeOptions,
  requires: () => [{ file: 'ssh', debianPackage: 'openssh-client', why: 'probe-ssh logs in to the target in batch mode and runs true' }],
  // Clock and CommandRunner come from the agent's root container.
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(HealthProbe).toDynamicValue((ctx) => new SshProbe(instance.options, ctx.get<CommandRunner>(CommandRunner), ctx.get<Clock>(Clock)));
    }),
});
