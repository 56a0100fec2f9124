import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for the cli-*.test.ts files: they run the real `tandem` binary, built by tsc. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const cliDir = join(repoRoot, 'packages/cli');
export const cliBin = join(cliDir, 'bin/run.js');
export const builtInPlugins = ['fence-exec', 'fence-ipmi', 'probe-tcp', 'resource-process', 'volume-iscsi-mirror'] as const;

const BUILD_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 30_000;

/**
 * The tests exercise dist/, as an operator would. Build when anything the
 * CLI loads is missing; `npm test` builds first, so this is for running one file.
 */
export function ensureBuilt(): void {
  const needed = [join(cliDir, 'dist/commands/version.js'), ...builtInPlugins.map((p) => join(repoRoot, 'plugins', p, 'dist/index.js'))];
  if (needed.every((f) => existsSync(f))) return;
  const build = spawnSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repoRoot, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (build.status !== 0) {
    throw new Error(`npx tsc -b packages/cli failed (status ${String(build.status)}):\n${build.stdout}\n${build.stderr}`);
  }
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`build finished but these are missing: ${missing.join(', ')}`);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch HOME/XDG tree so oclif's data and cache dirs never touch the real user's. */
export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'tandem-cli-test-'));

  run(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliResult {
    const result = spawnSync(process.execPath, [cliBin, ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: this.dir,
        XDG_DATA_HOME: join(this.dir, 'data'),
        XDG_CACHE_HOME: join(this.dir, 'cache'),
        XDG_CONFIG_HOME: join(this.dir, 'config'),
        NO_COLOR: '1',
        ...env,
      },
    });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Run with --json and parse stdout, which must be exactly one JSON document. */
  json<T>(args: readonly string[], env: Readonly<Record<string, string>> = {}): { code: number | null; body: T; stderr: string } {
    const r = this.run([...args, '--json'], env);
    let body: T;
    try {
      body = JSON.parse(r.stdout) as T;
    } catch (error) {
      throw new Error(`stdout of tandem ${args.join(' ')} --json is not JSON (exit ${String(r.code)}):\n${r.stdout}\nstderr:\n${r.stderr}`, { cause: error });
    }
    return { code: r.code, body, stderr: r.stderr };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether something accepts a TCP connection at host:port within 300 ms. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(300, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
