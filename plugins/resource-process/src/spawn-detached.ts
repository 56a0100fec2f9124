import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { childEnvironment } from '@tandem/core';

export type Spawned =
  | { readonly kind: 'spawned'; readonly child: ChildProcess; readonly exited: () => { code: number | null; signal: string | null } | undefined }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/**
 * Start `argv` in a session of its own (setsid: it survives the agent and
 * its group can be signalled as a whole), with stdout and stderr appended
 * to `logFile`. Resolves once the kernel has started it or refused to.
 * Its environment is the core's allowlist of the agent's (PATH, locale, TZ, HOME/USER) plus the
 * configured `env`: never the agent's whole environment, which may hold the store's password.
 */
export function spawnDetached(argv: readonly string[], options: { cwd?: string; env: Record<string, string>; logFile: string }): Promise<Spawned> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  return new Promise((resolve) => {
    let exit: { code: number | null; signal: string | null } | undefined;
    const [file = '', ...args] = argv;
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: childEnvironment(process.env, options.env),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    // The child keeps its own copy of the descriptor.
    closeSync(log);
    child.once('exit', (code, signal) => (exit = { code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? 'EUNKNOWN', message: error.message }));
    child.once('spawn', () => {
      // The agent must be able to exit (or crash) without taking the service with it.
      child.unref();
      resolve({ kind: 'spawned', child, exited: () => exit });
    });
  });
}
