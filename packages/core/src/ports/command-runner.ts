/**
 * System commands go through this port: an argument array, never a shell
 * string, and a timeout on every call. The real runner uses execa; the
 * dry-run runner records the exact commands as a script an operator can read.
 */
export interface CommandSpec {
  /** The program: a name looked up on PATH, or an absolute path. */
  readonly file: string;
  readonly args: readonly string[];
  /** Required: no command runs without a deadline. */
  readonly timeoutMs: number;
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
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

/** Render one command as a shell line with safe single-quoting, for review scripts and logs. */
export function shellQuote(parts: readonly string[]): string {
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * argv that runs `argv` as another OS user with that user's groups (util-linux
 * setpriv): an agent running as root starts PostgreSQL programs this way,
 * since PostgreSQL refuses to run as root.
 */
export function asUserArgv(user: string, argv: readonly string[]): string[] {
  return ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', ...argv];
}
