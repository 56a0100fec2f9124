import { execa } from 'execa';

export interface RunOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Return the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Run a command of the lab's own plumbing (ip, nft, kill ...). Failures throw
 * with the command and its stderr: a lab that half-built must say where.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(file, args, {
    reject: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (result.failed && !options.allowFailure) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : `exited with ${String(result.exitCode ?? result.signal)}`;
    throw new Error(`lab: \`${[file, ...args].join(' ')}\` ${why}: ${String(result.stderr || result.stdout).trim()}`);
  }
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `ip -n <ns> ...`; plain `ip ...` when ns is undefined. */
export async function ip(ns: string | undefined, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('ip', ns === undefined ? args : ['-n', ns, ...args], options);
}

/** Run a program inside a namespace. */
export async function inNamespace(ns: string, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...rest] = argv;
  if (file === undefined) throw new Error('lab: inNamespace needs a command');
  return run('ip', ['netns', 'exec', ns, file, ...rest], options);
}
