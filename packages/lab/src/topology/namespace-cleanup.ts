import { execFileSync } from 'node:child_process';
import { ip, run } from './ip-command.js';

const KILL_ROUNDS_MAX = 50;
const KILL_ROUND_PAUSE_MS = 100;

/** Pids of every process whose network namespace is `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const result = await ip(undefined, ['netns', 'pids', ns], { allowFailure: true });
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
}

/**
 * Kill every process in the namespace (resuming frozen ones first, so SIGKILL
 * is delivered) until none is left. A process may fork while we kill, so it
 * loops, and it gives up loudly rather than leave a namespace half-dead.
 */
export async function killNamespaceProcesses(ns: string): Promise<void> {
  for (let round = 0; round < KILL_ROUNDS_MAX; round++) {
    const pids = await namespacePids(ns);
    if (pids.length === 0) return;
    for (const pid of pids) {
      for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
        try {
          process.kill(pid, signal);
        } catch {
          // it exited between the listing and the kill
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, KILL_ROUND_PAUSE_MS));
  }
  const left = await namespacePids(ns);
  if (left.length > 0) throw new Error(`lab: processes ${left.join(', ')} in namespace ${ns} survived SIGKILL for ${(KILL_ROUNDS_MAX * KILL_ROUND_PAUSE_MS) / 1000} s`);
}

export async function listNamespaces(): Promise<string[]> {
  const result = await run('ip', ['netns', 'list'], { allowFailure: true });
  return result.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n !== '');
}

/** Kill the processes, then delete the namespaces (which removes their veths and bridges). */
export async function removeNamespaces(namespaces: readonly string[]): Promise<void> {
  const existing = new Set(await listNamespaces());
  const present = namespaces.filter((ns) => existing.has(ns));
  for (const ns of present) await killNamespaceProcesses(ns);
  for (const ns of present) await ip(undefined, ['netns', 'del', ns]);
}

/**
 * The same, synchronously: for process 'exit' and signal handlers, where no
 * promise will run. Best effort by design; the async path reports errors.
 */
export function removeNamespacesSync(namespaces: readonly string[]): void {
  for (const ns of namespaces) {
    for (let round = 0; round < 20; round++) {
      let pids: number[] = [];
      try {
        pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
          .split('\n')
          .filter((l) => /^\d+$/.test(l.trim()))
          .map(Number);
      } catch {
        break; // the namespace is gone
      }
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      execFileSync('sleep', ['0.1']);
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already deleted
    }
  }
}
