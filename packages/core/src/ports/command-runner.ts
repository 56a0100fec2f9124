import { inspect } from 'node:util';

/** What a sensitive value shows as in every message, log line and dry-run record. */
export const REDACTED = '***';

/**
 * An argv element, environment value or stdin text that must never be shown: `String()`, JSON and
 * `util.inspect` give `***`; only a runner calls `reveal()`, at exec time. Mark a password with
 * `sensitive(value)`, so a failure message built from the argv (`args.join(' ')`) is safe as it stands.
 */
export class Sensitive {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export const sensitive = (value: string): Sensitive => new Sensitive(value);

/** An argv element, env value or input: plain, or marked sensitive. */
export type CommandText = string | Sensitive;

export const revealText = (t: CommandText): string => (typeof t === 'string' ? t : t.reveal());
export const redactText = (t: CommandText): string => (typeof t === 'string' ? t : REDACTED);

/**
 * System commands go through this port: an argument array, never a shell
 * string, and a timeout on every call. The real runner uses execa; the
 * dry-run runner records the exact commands as a script an operator can read.
 */
export interface CommandSpec {
  /** The program: a name looked up on PATH, or an absolute path. */
  readonly file: string;
  /** A password never goes here when the program can take it otherwise (`ps` shows argv); if it must, wrap it in `sensitive()`. */
  readonly args: readonly CommandText[];
  /** Required: no command runs without a deadline. */
  readonly timeoutMs: number;
  readonly input?: CommandText;
  /**
   * The child's environment on top of a small allowlist of the agent's (`CHILD_ENV_ALLOWLIST`): a child
   * never inherits the agent's environment, which may hold the store's password.
   */
  readonly env?: Readonly<Record<string, CommandText>>;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Read-only commands (status queries) still run in dry-run mode; everything else is only recorded. */
  readonly readOnly?: boolean;
}

export type CommandResult =
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'timeout';
      readonly stdout: string;
      readonly stderr: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'not-installed';
      readonly file: string;
      /** The Debian package that provides the program, when known. */
      readonly debianPackage: string | undefined;
      readonly message: string;
    }
  | {
      /** The caller's signal fired. */
      readonly kind: 'aborted';
      readonly durationMs: number;
    };

export interface CommandRunner {
  run(spec: CommandSpec): Promise<CommandResult>;
  /** Absolute path of `file` on PATH, or undefined. */
  which(file: string): Promise<string | undefined>;
}

export const CommandRunner: unique symbol = Symbol.for('tandem.CommandRunner');

/** Where commands the built-in plugins use come from on Debian 12, for "not installed" messages. */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  ping: 'iputils-ping',
  arping: 'arping',
  nft: 'nftables',
  ipmitool: 'ipmitool',
  ipmi_sim: 'openipmi',
  targetcli: 'targetcli-fb',
  iscsiadm: 'open-iscsi',
  mdadm: 'mdadm',
  sg_persist: 'sg3-utils',
  ssh: 'openssh-client',
  sshd: 'openssh-server',
  psql: 'postgresql-client',
  pg_ctl: 'postgresql',
  pg_ctlcluster: 'postgresql-common',
  pg_receivewal: 'postgresql',
  pg_rewind: 'postgresql',
  pg_basebackup: 'postgresql',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  qemu_system_x86_64: 'qemu-system-x86',
  'qemu-system-x86_64': 'qemu-system-x86',
  fence_ipmilan: 'fence-agents',
};

/** Render one command as a shell line with safe single-quoting, for review scripts and logs; sensitive parts show as `***`. */
export function shellQuote(parts: readonly CommandText[]): string {
  return parts.map((p) => (typeof p !== 'string' ? REDACTED : /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `file args…` as a message shows it: sensitive parts as `***`. */
export function describeCommand(spec: Pick<CommandSpec, 'file' | 'args'>): string {
  return [spec.file, ...spec.args.map(redactText)].join(' ');
}

/**
 * What a child keeps of the agent's environment: the search path, locale, time zone and who it runs as.
 * Everything else (TANDEM_REDIS_PASSWORD, PGPASSWORD, …) is dropped; a plugin passes what its command
 * needs in `CommandSpec.env`.
 */
export const CHILD_ENV_ALLOWLIST: readonly string[] = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR'];

/** The child's whole environment: the allowlisted part of `parent` (and its LC_*), then `extra`, revealed. */
export function childEnvironment(parent: Readonly<Record<string, string | undefined>>, extra: Readonly<Record<string, CommandText>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && (CHILD_ENV_ALLOWLIST.includes(name) || name.startsWith('LC_'))) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) env[name] = revealText(value);
  return env;
}

/** The revealed sensitive values of a spec (argv, env, input), for scrubbing them from what the command printed. */
export function sensitiveValues(spec: Pick<CommandSpec, 'args' | 'env' | 'input'>): string[] {
  const all = [...spec.args, ...Object.values(spec.env ?? {}), ...(spec.input === undefined ? [] : [spec.input])];
  return all.filter((t): t is Sensitive => t instanceof Sensitive).map((t) => t.reveal());
}

/**
 * `text` with every occurrence of a sensitive value replaced by `***`. Values under 4 characters are left:
 * replacing them would mangle ordinary output more than it hides.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * argv that runs `argv` as another OS user with that user's groups (util-linux
 * setpriv): an agent running as root starts PostgreSQL programs this way,
 * since PostgreSQL refuses to run as root.
 */
export function asUserArgv(user: string, argv: readonly string[]): string[] {
  return ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', ...argv];
}
