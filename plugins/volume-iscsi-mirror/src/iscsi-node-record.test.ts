import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WRITE_PRIVATE } from './iscsi-node-record.js';

const RECORD = 'node.session.auth.authmethod = CHAP\nnode.session.auth.password = s3cret-chap-pw\n# END RECORD\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-record-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

/** The plugin's argv exactly, stdin a pipe (as the command runner gives it), under a permissive umask. */
const write = (file: string, input = RECORD) =>
  spawnSync('sh', ['-c', 'umask 000 && exec sh "$@"', 'outer', '-c', WRITE_PRIVATE, 'tandem-write-private', file], { input, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 20_000 });
const mode = (file: string): number => statSync(file).mode & 0o777;

describe('WRITE_PRIVATE: stdin into a file that only its owner can read, without /dev/stdin', () => {
  it('creates the file mode 600 with exactly what came on stdin, even under umask 000', () => {
    const file = join(dir, 'tandem-storage.tandem-new');
    const r = write(file);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(RECORD);
    expect(mode(file)).toBe(0o600);
    expect(WRITE_PRIVATE).not.toContain('/dev/stdin');
  });

  it('a leftover world-readable file, or a symlink, in its place is replaced by a new mode 600 file', () => {
    const file = join(dir, 'tandem-storage.tandem-new');
    writeFileSync(file, 'stale and longer than nothing\n'.repeat(20));
    chmodSync(file, 0o644);
    expect(write(file).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(RECORD);
    expect(mode(file)).toBe(0o600);

    const elsewhere = join(dir, 'elsewhere');
    writeFileSync(elsewhere, 'untouched\n');
    chmodSync(elsewhere, 0o644);
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect(write(file).status).toBe(0);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched\n');
  });

  it('fails with a non-zero exit when it cannot create the file; what it says names the file, never the content', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const file = join(locked, 'tandem-storage.tandem-new');
    const r = write(file);
    if (process.getuid?.() === 0) {
      // root writes through a directory's mode; a missing directory still fails.
      expect(r.status).toBe(0);
      const missing = join(dir, 'no-such-dir', 'tandem-storage.tandem-new');
      const m = write(missing);
      expect(m.status).not.toBe(0);
      expect(m.stderr).toContain(missing);
      expect(`${m.stdout}${m.stderr}`).not.toContain('s3cret-chap-pw');
      return;
    }
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret-chap-pw');
  });
});
