import { format } from 'node:util';
import { Command, Errors, Flags, ux, type Interfaces } from '@oclif/core';
import { createLogger, type Logger } from '@tandem/core';
import { classifyError, renderError } from './error-payload.js';
import { safeJsonText, safeText } from './safe-text.js';

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
 *
 * Whatever goes through `log`, `logToStderr` and `logJson` is made safe for a
 * terminal (see safe-text.ts): much of it comes from the store or from plugins.
 * Renderers escape newlines in one-line fields themselves (safeLine).
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

  override log(message: string = '', ...args: unknown[]): void {
    super.log(safeText(format(message, ...args)));
  }

  override logToStderr(message: string = '', ...args: unknown[]): void {
    super.logToStderr(safeText(format(message, ...args)));
  }

  /** oclif's own logJson, with the characters JSON.stringify leaves raw (C1, bidi controls) escaped; the parsed value is the same. */
  protected override logJson(json: unknown): void {
    ux.stdout(safeJsonText(ux.colorizeJson(json, { pretty: true, theme: this.config.theme?.json })));
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<never> {
    // `this.exit()` from a command is a deliberate exit, not a failure to report.
    if (error instanceof Errors.ExitError) throw error;
    const { payload, stack } = classifyError(error);
    if (this.jsonEnabled()) {
      this.logJson({ error: payload });
    } else {
      process.stderr.write(`${renderError(payload)}\n`);
      if (stack !== undefined && this.debugEnabled()) process.stderr.write(`${safeText(stack)}\n`);
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
