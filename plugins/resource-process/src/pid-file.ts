import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResourceRole } from '@tandem/core';

/** What the agent remembers about the process it started, beside the pid file. */
export interface ProcessState {
  readonly pid: number;
  /** Kernel start time of the process (/proc/<pid>/stat field 22), to tell a reused pid from ours. */
  readonly startTicks?: string;
  readonly role: ResourceRole;
}

export type Inspection =
  | { readonly kind: 'none' }
  | { readonly kind: 'stale'; readonly pid: number; readonly why: string }
  | { readonly kind: 'running'; readonly pid: number; readonly state: ProcessState };

/** Kernel start time and run state of a pid, or undefined when /proc has no such process. */
async function procStat(pid: number): Promise<{ state: string; startTicks: string } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', startTicks: fields[19] ?? '' };
}

export async function processAlive(pid: number, startTicks?: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await procStat(pid);
  if (!stat) return false;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

export async function startTicksOf(pid: number): Promise<string | undefined> {
  return (await procStat(pid))?.startTicks;
}

export class PidFile {
  readonly statePath: string;

  constructor(readonly path: string) {
    this.statePath = `${path}.state.json`;
  }

  /** Is the process named by the pid file running, gone (stale file), or was there no pid file at all? */
  async inspect(): Promise<Inspection> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (text === undefined) return { kind: 'none' };
    const pid = Number(text.trim().split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 1) return { kind: 'stale', pid: 0, why: `pid file ${this.path} holds "${text.trim().slice(0, 40)}", not a pid` };
    const saved = await this.readState();
    const state: ProcessState = saved?.pid === pid ? saved : { pid, role: 'replica' };
    if (!(await processAlive(pid, state.startTicks))) return { kind: 'stale', pid, why: `process ${pid} from ${this.path} is not running` };
    return { kind: 'running', pid, state };
  }

  async write(state: ProcessState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await atomicWrite(this.path, `${state.pid}\n`);
    await this.writeState(state);
  }

  async writeState(state: ProcessState): Promise<void> {
    await atomicWrite(this.statePath, `${JSON.stringify(state)}\n`);
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    await rm(this.statePath, { force: true });
  }

  private async readState(): Promise<ProcessState | undefined> {
    try {
      return JSON.parse(await readFile(this.statePath, 'utf8')) as ProcessState;
    } catch {
      return undefined;
    }
  }
}

/** Write then rename, so a reader never sees half a pid. */
async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
