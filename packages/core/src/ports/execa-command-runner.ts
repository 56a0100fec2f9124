import { execa } from 'execa';
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { DEBIAN_PACKAGES, childEnvironment, revealText, scrub, sensitiveValues, type CommandResult, type CommandRunner, type CommandSpec } from './command-runner.js';

/**
 * Runs commands for real, through execa, with no shell. A child gets an explicit environment (the
 * allowlisted part of `parentEnv`, then the spec's env), never the agent's whole one; sensitive argv,
 * env and input are revealed only here, and scrubbed from what the command printed.
 */
export class ExecaCommandRunner implements CommandRunner {
  constructor(
    private readonly pathEnv: string = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    private readonly parentEnv: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    if (!(spec.timeoutMs > 0)) throw new RangeError(`command ${spec.file}: timeoutMs must be > 0, got ${spec.timeoutMs}`);
    const started = performance.now();
    const env = childEnvironment(this.parentEnv, spec.env);
    const result = await execa(spec.file, spec.args.map(revealText), {
      timeout: spec.timeoutMs,
      reject: false,
      shell: false,
      stdin: spec.input === undefined ? 'ignore' : 'pipe',
      ...(spec.input === undefined ? {} : { input: revealText(spec.input) }),
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      env: { ...env, PATH: spec.env?.PATH === undefined ? this.pathEnv : revealText(spec.env.PATH) },
      extendEnv: false,
      ...(spec.signal === undefined ? {} : { cancelSignal: spec.signal }),
      stripFinalNewline: true,
      // A stuck child that ignores SIGTERM is killed outright shortly after.
      forceKillAfterDelay: 2000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const durationMs = performance.now() - started;
    const secrets = sensitiveValues(spec);
    const stdout = scrub(String(result.stdout ?? ''), secrets);
    const stderr = scrub(String(result.stderr ?? ''), secrets);
    if (result.timedOut) return { kind: 'timeout', stdout, stderr, durationMs };
    if (result.isCanceled) return { kind: 'aborted', durationMs };
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT' || (result.exitCode === undefined && /ENOENT/.test(result.message ?? ''))) {
      return notInstalled(spec.file);
    }
    if (code === 'EACCES') {
      return { kind: 'exited', exitCode: 126, stdout, stderr: stderr || `${spec.file}: permission denied`, durationMs };
    }
    return { kind: 'exited', exitCode: result.exitCode ?? (result.signal ? 128 : 1), stdout, stderr, durationMs };
  }

  async which(file: string): Promise<string | undefined> {
    const candidates = isAbsolute(file) ? [file] : this.pathEnv.split(delimiter).filter(Boolean).map((dir) => join(dir, file));
    for (const candidate of candidates) {
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking along PATH
      }
    }
    return undefined;
  }
}

export function notInstalled(file: string): CommandResult {
  const base = file.split('/').pop() ?? file;
  const debianPackage = DEBIAN_PACKAGES[base];
  return {
    kind: 'not-installed',
    file,
    debianPackage,
    message: debianPackage
      ? `${base} is not installed: install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`
      : `${base} is not installed or not on PATH`,
  };
}
