import { ContainerModule } from 'inversify';
import { Clock, CommandRunner, definePlugin, RecoveryStrategy, type RequiredCommand } from '@tandem/core';
import { findPostgresBinDir } from '@tandem/plugin-resource-postgres';
import { WalTools } from '@tandem/plugin-transport-wal-mirror';
import { CompensateStrategy } from './compensate-strategy.js';
import { compensateOptions, type CompensateOptions } from './options.js';

export { CompensateStrategy, UNKNOWN_LOSS } from './compensate-strategy.js';
export { compensateOptions, type CompensateOptions, type CompensateOptionsInput } from './options.js';
export { compensationPlan } from './compensation-plan.js';
export { restoreCommand, compensationStatements, sqlLiteral } from './restore-command.js';

function requiredCommands(options: CompensateOptions): RequiredCommand[] {
  const bin = options.binDir ?? findPostgresBinDir();
  const at = (p: string): string => (bin === undefined ? p : `${bin}/${p}`);
  return [
    { file: at('pg_waldump'), debianPackage: 'postgresql', why: 'recovery-compensate: find where the mirrored WAL ends' },
    { file: at('psql'), debianPackage: 'postgresql-client', why: 'recovery-compensate: point recovery at the mirror and follow replay' },
    { file: 'setpriv', debianPackage: 'util-linux', why: 'recovery-compensate: run psql as options.osUser' },
  ];
}

export default definePlugin({
  id: 'recovery-compensate',
  version: '0.1.0',
  description: 'Recovery strategy: before promotion, replay the WAL mirror into the local standby up to the mirror end (zero-loss compensation)',
  provides: ['RecoveryStrategy'],
  options: compensateOptions,
  requires: requiredCommands,
  module: (instance) =>
    new ContainerModule(({ bind }) => {
      bind(RecoveryStrategy).toDynamicValue((ctx) => {
        const tools = new WalTools(ctx.get<CommandRunner>(CommandRunner), instance.options.binDir ?? findPostgresBinDir(), instance.options.osUser);
        return new CompensateStrategy(instance.options, tools, ctx.get<Clock>(Clock));
      });
    }),
});
