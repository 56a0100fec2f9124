import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { Secret } from './secret.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, mode: number): string {
  const file = join(dir, name);
  writeFileSync(file, 'pw-from-file\n');
  chmodSync(file, mode);
  return file;
}

describe('secret files readable by group or others', () => {
  it('a 0600 file resolves quietly', () => {
    const s = new Secret({ file: secretFile('private', 0o600) });
    expect(s.resolve({})).toBeUndefined();
    expect(s.reveal()).toBe('pw-from-file');
    expect(s.warning).toBeUndefined();
  });

  it('a 0644 file resolves with a warning naming the mode and the chmod', () => {
    const file = secretFile('shared', 0o644);
    const s = new Secret({ file });
    expect(s.resolve({})).toBeUndefined();
    expect(s.warning).toBe(`secret file ${file} is readable by group or others (mode 0644); chmod 600 ${file} (strictSecrets: true refuses it)`);
  });

  it('with strict it is refused and the value is not kept', () => {
    const file = secretFile('group', 0o640);
    const s = new Secret({ file });
    expect(s.resolve({}, { strict: true })).toBe(`secret file ${file} is readable by group or others (mode 0640); chmod 600 ${file} (strictSecrets: true refuses it)`);
    expect(s.resolved).toBe(false);
  });

  it('strictSecrets is one top-level boolean of the config, default false; the loader refuses with it, warns without', () => {
    const file = secretFile('store', 0o644);
    const yaml = (strict: boolean): string => `cluster: c1
${strict ? 'strictSecrets: true\n' : ''}store: { type: redis, password: { file: ${file} } }
nodes:
  a: { nics: { public: 192.0.2.1/24 } }
`;
    const loose = parseConfig(yaml(false));
    expect(loose.config.strictSecrets).toBe(false);
    expect(loose.warnings).toEqual([{ path: 'store.password', message: expect.stringContaining('readable by group or others'), fix: `chmod 600 ${file}` }]);
    expect(() => parseConfig(yaml(true))).toThrow(/1 problem/);
  });
});
