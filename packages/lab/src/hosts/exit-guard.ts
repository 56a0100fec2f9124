import { removeNamespacesSync } from '../topology/namespace-cleanup.js';

/** Namespaces of labs this process owns and has not taken down yet. */
const live = new Map<string, readonly string[]>();
let installed = false;

function cleanupAll(): void {
  for (const namespaces of live.values()) removeNamespacesSync(namespaces);
  live.clear();
}

/**
 * Take the lab down however this process ends: normal exit, Ctrl-C,
 * SIGTERM from a CI timeout. (SIGKILL cannot be caught; the next lab's
 * sweep removes what such a run left.)
 */
export function guardLab(id: string, namespaces: readonly string[]): void {
  live.set(id, namespaces);
  if (installed) return;
  installed = true;
  process.once('exit', cleanupAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      cleanupAll();
      process.exit(code);
    });
  }
}

export function releaseLab(id: string): void {
  live.delete(id);
}
