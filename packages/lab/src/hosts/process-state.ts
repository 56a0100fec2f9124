import { readFileSync } from 'node:fs';

/** True while a process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  return processState(pid) !== undefined && !['Z', 'X'].includes(processState(pid) ?? '');
}

/** The state letter from /proc/<pid>/stat (R, S, D, T for stopped, Z ...), or undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; the state follows the last ')'.
    const at = stat.lastIndexOf(')');
    return stat.slice(at + 2, at + 3);
  } catch {
    return undefined;
  }
}
