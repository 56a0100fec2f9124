import { ContainerModule } from 'inversify';
import { CommandRunner, DEBIAN_PACKAGES, definePlugin, Fencer, type RequiredCommand } from '@tandem/core';
import { ExecFencer } from './exec-fencer.js';
import { execFencerOptions, type ExecFencerOptions } from './exec-fencer-options.js';

export { ExecFencer } from './exec-fencer.js';
export { execFencerOptions, type ExecFencerOptions } from './exec-fencer-options.js';
export { expandArgv } from './expand-argv.js';

function requiredCommands(options: ExecFencerOptions): RequiredCommand[] {
  const uses: [string, readonly string[] | undefined][] = [
    ['fence', options.fence],
    ['status', options.status],
    ['unfence', options.unfence],
  ];
  const seen = new Map<string, RequiredCommand>();
  for (const [why, argv] of uses) {
    const file = argv?.[0];
    if (!file) continue;
    const debianPackage = DEBIAN_PACKAGES[file.split('/').pop() ?? file];
    const prior = seen.get(file);
    seen.set(file, { file, why: prior ? `${prior.why}, ${why}` : `fence-exec ${why} command`, ...(debianPackage ? { debianPackage } : {}) });
  }
  return [...seen.values()];
}

export default definePlugin({
  id: 'fence-exec',
  version: '0.1.0',
  description: 'Fencer: run operator-supplied fence/status/unfence commands; ok only when status confirms',
  provides: ['Fencer'],
  options: execFencerOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(Fencer).toDynamicValue((ctx) => new ExecFencer(instance.options, ctx.get<CommandRunner>(CommandRunner)));
    }),
});
