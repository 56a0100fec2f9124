import { pino, type Logger as PinoLogger } from 'pino';

/** Structured logging. JSON lines by default; human-readable on a terminal. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const Logger: unique symbol = Symbol.for('tandem.Logger');

export interface LoggerOptions {
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `auto` is pretty when stderr is a TTY. */
  readonly format?: 'json' | 'pretty' | 'auto';
  /** Defaults to stderr (fd 2): stdout belongs to a command's result and `--json`. */
  readonly destination?: number | string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const pretty = options.format === 'pretty' || (options.format !== 'json' && destination === 2 && process.stderr.isTTY === true);
  const base = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defence in depth: secrets are wrapped (see config/secret.ts), but a stray field name is masked too.
    redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret'], censor: '***' },
  };
  const logger: PinoLogger = pretty
    ? pino({ ...base, transport: { target: 'pino-pretty', options: { destination, colorize: true } } })
    : pino(base, pino.destination({ dest: destination, sync: true }));
  return wrap(logger);
}

function wrap(p: PinoLogger): Logger {
  return {
    debug: (f, m) => p.debug(f, m),
    info: (f, m) => p.info(f, m),
    warn: (f, m) => p.warn(f, m),
    error: (f, m) => p.error(f, m),
    child: (b) => wrap(p.child(b)),
  };
}

/** A logger that keeps lines in memory; for tests and for the simulation's trace. Bounded. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];

  constructor(
    private readonly bindings: Record<string, unknown> = {},
    private readonly maxLines = 10_000,
    private readonly sink?: MemoryLogger,
  ) {}

  debug(fields: Record<string, unknown>, message: string): void {
    this.push('debug', fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.push('info', fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.push('warn', fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.push('error', fields, message);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger({ ...this.bindings, ...bindings }, this.maxLines, this.sink ?? this);
  }

  private push(level: string, fields: Record<string, unknown>, message: string): void {
    const target = this.sink ?? this;
    if (target.lines.length >= target.maxLines) target.lines.shift();
    target.lines.push({ level, message, fields: { ...this.bindings, ...fields } });
  }
}
