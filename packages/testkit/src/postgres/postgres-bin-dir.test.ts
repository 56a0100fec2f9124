import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pickHighestPostgresVersion, postgresBinDir } from './postgres-bin-dir.js';

describe('pickHighestPostgresVersion', () => {
  it('picks the highest numeric major, old dotted majors included', () => {
    expect(pickHighestPostgresVersion(['9.6', '13', '15', '11'])).toBe('15');
    expect(pickHighestPostgresVersion(['9.6', '9.10'])).toBe('9.10');
  });

  it('ignores names that are not versions, and gives undefined when none is left', () => {
    expect(pickHighestPostgresVersion(['lib', 'README', '16beta'])).toBeUndefined();
    expect(pickHighestPostgresVersion([])).toBeUndefined();
  });
});

describe('postgresBinDir', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('returns <root>/<highest>/bin when it holds postgres and initdb', () => {
    const root = mkdtempSync(join(tmpdir(), 'pgroot-'));
    dirs.push(root);
    for (const version of ['13', '15']) {
      mkdirSync(join(root, version, 'bin'), { recursive: true });
      writeFileSync(join(root, version, 'bin', 'postgres'), '');
      writeFileSync(join(root, version, 'bin', 'initdb'), '');
    }
    expect(postgresBinDir(root)).toBe(join(root, '15', 'bin'));
  });

  it('fails loudly with the apt-get command when nothing is installed', () => {
    const root = join(tmpdir(), 'surely-no-postgres-here');
    expect(() => postgresBinDir(root)).toThrow(/apt-get install -y postgresql/);
  });
});
