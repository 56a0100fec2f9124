import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeNamespaces } from './namespace-cleanup.js';

/** One file per running lab, written before anything is created, so a crashed run can always be swept. */
export const REGISTRY_DIR = '/run/tandem-lab';

export interface LabRecord {
  readonly id: string;
  readonly ownerPid: number;
  readonly namespaces: readonly string[];
  readonly dir: string;
  readonly createdAt: string;
}

export async function registerLab(record: LabRecord): Promise<void> {
  await mkdir(REGISTRY_DIR, { recursive: true });
  await writeFile(join(REGISTRY_DIR, `${record.id}.json`), `${JSON.stringify(record)}\n`);
}

export async function unregisterLab(id: string): Promise<void> {
  await rm(join(REGISTRY_DIR, `${id}.json`), { force: true });
}

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function listLabRecords(): Promise<LabRecord[]> {
  const names = await readdir(REGISTRY_DIR).catch(() => [] as string[]);
  const records: LabRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const text = await readFile(join(REGISTRY_DIR, name), 'utf8').catch(() => '');
    try {
      records.push(JSON.parse(text) as LabRecord);
    } catch {
      // a torn file from a crash during registration: nothing was created after it
      await rm(join(REGISTRY_DIR, name), { force: true });
    }
  }
  return records;
}

/**
 * Remove labs whose owning process is gone (a test run that was SIGKILLed).
 * Labs of live processes are left alone, so two labs can run side by side.
 */
export async function sweepStaleLabs(): Promise<string[]> {
  const swept: string[] = [];
  for (const record of await listLabRecords()) {
    if (record.ownerPid !== process.pid && ownerAlive(record.ownerPid)) continue;
    if (record.ownerPid === process.pid) continue;
    await removeNamespaces(record.namespaces);
    await unregisterLab(record.id);
    swept.push(record.id);
  }
  return swept;
}
