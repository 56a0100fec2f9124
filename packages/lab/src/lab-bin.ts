import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root, whether this module runs from src/ (tests) or dist/. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The compiled entry point of one of the lab's helper processes (workload,
 * delay proxy ...): they run inside namespaces as plain `node` processes, so
 * they must come from dist/ even when a test imports the lab from src/.
 */
export function labBinPath(relative: string): string {
  const path = join(PACKAGE_ROOT, 'dist', relative);
  if (!existsSync(path)) throw new Error(`lab: ${path} is missing; build first (npm run build)`);
  return path;
}
