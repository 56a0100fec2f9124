import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { createLogger, type Logger } from '@tandem/core';
import { classifyError, renderError } from './error-payload.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every tandem command extends this. `run()` returns a typed value which is
 * exactly what `--json` prints; human output goes through `this.log`, which
 * oclif silences under `--json`. Failures are turned into an exit code from
 * the core's ExitCode table and either `{ "error": {...} }` on stdout
 * (`--json`) or a readable message on stderr.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'log-level': Flags.option({
      options: LOG_LEVELS,
      default: 'warn' as LogLevel,
      env: 'TANDEM_LOG_LEVEL',
      helpGroup: 'GLOBAL',
      summary: 'How much to log on stderr; debug also prints stack traces of unexpected errors.',
    })(),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  #logger: Logger | undefined;

  override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  /** Created on first use: most commands never log, and a logger may open a transport. */
  protected get logger(): Logger {
    this.#logger ??= createLogger({ level: this.flags?.['log-level'] ?? 'warn' });
    return this.#logger;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<never> {
    // `this.exit()` from a command is a deliberate exit, not a failure to report.
    if (error instanceof Errors.ExitError) throw error;
    const { payload, stack } = classifyError(error);
    if (this.jsonEnabled()) {
      this.logJson({ error: payload });
    } else {
      process.stderr.write(`${renderError(payload)}\n`);
      if (stack !== undefined && this.debugEnabled()) process.stderr.write(`${stack}\n`);
    }
    this.exit(payload.exitCode);
  }

  /** Flags may not be parsed when parsing itself failed; look at argv then. */
  private debugEnabled(): boolean {
    if (this.flags?.['log-level'] === 'debug') return true;
    const i = this.argv.indexOf('--log-level');
    return (i >= 0 && this.argv[i + 1] === 'debug') || this.argv.includes('--log-level=debug') || process.env['TANDEM_LOG_LEVEL'] === 'debug';
  }
}
