import { parseArgs } from 'node:util';
import type { PgTarget } from './pg-session.js';

/** A host the poller checks on its own address. */
export interface PolledHost {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface WorkloadOptions {
  readonly target: PgTarget;
  readonly writer: string;
  readonly intervalMs: number;
  readonly out: string;
  /** Undefined: run until SIGTERM/SIGINT. */
  readonly durationMs: number | undefined;
  readonly hosts: PolledHost[];
  readonly pollMs: number;
  readonly attemptTimeoutMs: number;
  /** Wait after a failed or uncertain attempt before the next (which reconnects). */
  readonly backoffMs: number;
}

/** `host:port` (IPv4 or a name; the port is required). */
export function parseAddress(text: string, what: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${what}: "${text}" is not host:port`);
  return { host: match[1], port };
}

/** `name=addr:port,name=addr:port`. */
export function parseHostList(text: string | undefined): PolledHost[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((item) => {
    const [name, address] = item.split('=');
    if (!name || address === undefined) throw new Error(`--hosts: "${item}" is not name=addr:port`);
    return { name: name.trim(), ...parseAddress(address, `--hosts ${name}`) };
  });
}

function positiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: "${value}" is not a positive whole number of ms`);
  return n;
}

/** Parse the workload's command line; the password comes from PGPASSWORD, never argv. */
export function parseWorkloadArgs(argv: readonly string[], env: NodeJS.ProcessEnv): WorkloadOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      target: { type: 'string' },
      database: { type: 'string', default: 'postgres' },
      user: { type: 'string', default: 'postgres' },
      writer: { type: 'string', default: 'w1' },
      'interval-ms': { type: 'string' },
      out: { type: 'string' },
      'duration-ms': { type: 'string' },
      hosts: { type: 'string' },
      'poll-ms': { type: 'string' },
      'attempt-timeout-ms': { type: 'string' },
      'backoff-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values.target === undefined) throw new Error('--target host:port is required');
  if (values.out === undefined) throw new Error('--out <file.jsonl> is required');
  const address = parseAddress(values.target, '--target');
  return {
    target: { ...address, database: values.database, user: values.user, password: env.PGPASSWORD ?? '' },
    writer: values.writer,
    intervalMs: positiveInt(values['interval-ms'], 50, '--interval-ms'),
    out: values.out,
    durationMs: values['duration-ms'] === undefined ? undefined : positiveInt(values['duration-ms'], 0, '--duration-ms'),
    hosts: parseHostList(values.hosts),
    pollMs: positiveInt(values['poll-ms'], 100, '--poll-ms'),
    attemptTimeoutMs: positiveInt(values['attempt-timeout-ms'], 2000, '--attempt-timeout-ms'),
    backoffMs: positiveInt(values['backoff-ms'], 100, '--backoff-ms'),
  };
}
