import { statSync, type BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import { StoreUnavailableError } from '@tandem/core';

interface FileId {
  readonly dev: bigint;
  readonly ino: bigint;
}

interface GuardedFile {
  readonly path: string;
  /** How a message names it: "the store file", "its write-ahead log", ... */
  readonly role: string;
  readonly id: FileId;
}

/**
 * Remembers which files (device and inode) an open store connection uses and
 * tells, with one `stat` per file, whether the paths still name them.
 *
 * SQLite keeps its descriptors: a file deleted (`rm store.sqlite*`) or
 * replaced (`mv other.sqlite store.sqlite`) under an open connection goes on
 * taking its reads and writes without an error, while an agent that opens the
 * path afresh gets another file. Two groups of agents would then each see
 * their own store. The check runs before every call; once it fails the guard
 * stays failed.
 *
 * Why no descriptor of our own (to `fstat` for a link count of 0): closing
 * ANY descriptor of a file drops every POSIX lock the process holds on it,
 * SQLite's included (sqlite.org/howtocorrupt.html, 2.2). A path that still
 * names the same (dev, ino) is linked, so its link count is above 0; and as
 * SQLite holds the old inode open its number cannot be handed to a new file.
 */
export class StoreFileGuard {
  private lostReason: string | undefined;

  private constructor(private readonly files: readonly GuardedFile[]) {}

  /**
   * Call right after the connection opened the file and switched it to WAL
   * (the `-wal` and `-shm` files exist from then on, and while this connection
   * stays open no other closes them: SQLite removes them only when the last
   * connection to the file closes).
   */
  static capture(storePath: string): StoreFileGuard {
    // Absolute, as SQLite made it at open: a later chdir must not point the check elsewhere.
    const path = resolve(storePath);
    const files: GuardedFile[] = [];
    for (const [suffix, role] of SIDE_FILES) {
      const stats = statOf(path + suffix);
      if (stats === undefined) {
        if (suffix === '') throw new Error(`the store file ${path} is not there right after opening it`);
        continue; // not in WAL mode (cannot happen with openStoreDatabase): nothing to guard
      }
      files.push({ path: path + suffix, role, id: { dev: stats.dev, ino: stats.ino } });
    }
    return new StoreFileGuard(files);
  }

  /**
   * Why the connection's files are no longer the ones at their paths;
   * undefined while they are. Sticky. A `stat` failing for another reason
   * (EACCES on the directory, say) throws, and is not remembered.
   */
  lost(): string | undefined {
    if (this.lostReason !== undefined) return this.lostReason;
    for (const file of this.files) {
      const now = statOf(file.path);
      if (now === undefined) {
        this.lostReason = `${file.role} ${file.path} was deleted (or moved away) while this agent had it open`;
      } else if (now.ino !== file.id.ino || now.dev !== file.id.dev) {
        this.lostReason = `${file.role} ${file.path} was replaced by another file (${describeIds(now, file.id)})`;
      }
      if (this.lostReason !== undefined) return this.lostReason;
    }
    return undefined;
  }

  /** Throw StoreUnavailableError naming `what`, the path and the fix if `lost()`. */
  assertIntact(storePath: string, what: string, when: 'refused' | 'committed into a lost file'): void {
    let reason: string | undefined;
    try {
      reason = this.lost();
    } catch (error) {
      throw new StoreUnavailableError(`embedded store ${storePath}: ${what} refused: cannot check that its files are still the ones it opened: ${String(error)}`, { cause: error });
    }
    if (reason === undefined) return;
    const outcome =
      when === 'refused'
        ? `${what} refused`
        : `${what} may have been written only into the lost file, which no agent opening ${storePath} reads`;
    throw new StoreUnavailableError(
      `embedded store ${storePath}: ${outcome}: ${reason}. ` +
        'This store object writes nothing more (every later call fails), so agents cannot split between two files. ' +
        'Fix: restore the file (move it back, or from its backup) and restart every agent on this machine; ' +
        'for a new cluster stop them all, run `tandem init`, then start them.',
    );
  }
}

const SIDE_FILES: readonly (readonly [suffix: string, role: string])[] = [
  ['', 'the store file'],
  ['-wal', "the store's write-ahead log"],
  ['-shm', "the store's shared-memory index"],
];

/** undefined when nothing is at `path` (ENOENT, or ENOTDIR: a directory on the way was replaced by a file). */
function statOf(path: string): BigIntStats | undefined {
  try {
    // bigint: inode numbers on some file systems exceed 2^53.
    return statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function describeIds(now: FileId, was: FileId): string {
  return now.dev === was.dev ? `inode ${now.ino}, was ${was.ino}` : `device ${now.dev} inode ${now.ino}, was device ${was.dev} inode ${was.ino}`;
}
