import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { volumeOptions } from './options.js';
import { storageHostScript, targetScriptInput } from './target-script.js';

const options = volumeOptions.parse({
  arrayUuid: '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1',
  initiatorIqn: 'iqn.2026-12.org.tandem:{node}',
  arrays: [
    // /dev/loop0 exists on Linux hosts, so the script's block-device check passes in the test.
    { name: 'array1', portal: '198.51.100.21', targetIqn: 'iqn.2026-12.org.tandem:array1', device: '/dev/loop0' },
    { name: 'array2', portal: '198.51.100.22', targetIqn: 'iqn.2026-12.org.tandem:array2', device: '/dev/loop0' },
  ],
  chap: { user: 'tandem', password: { env: 'TANDEM_CHAP_PASSWORD' } },
});
const initiators = ['iqn.2026-12.org.tandem:db1', 'iqn.2026-12.org.tandem:db2'];
const script = storageHostScript(targetScriptInput(options, 'array1', initiators, '/dev/md/tandem-data')!);
const T = '/iscsi/iqn.2026-12.org.tandem:array1/tpg1';

describe('storageHostScript: what it asks of targetcli', () => {
  it('turns the default portal off and creates one portal on the storage address only', () => {
    expect(script).toContain('targetcli set global auto_add_default_portal=false');
    expect(script).toContain(`if present ${T}/portals/0.0.0.0:3260; then targetcli ${T}/portals delete 0.0.0.0 3260; fi`);
    expect(script).toContain(`targetcli ${T}/portals create 198.51.100.21 3260`);
    expect(script).not.toMatch(/portals create 0\.0\.0\.0/);
  });

  it('an ACL and a mapped LUN per initiator; no demo mode; persistent reservations on; saved', () => {
    for (const i of initiators) {
      expect(script).toContain(`targetcli ${T}/acls create ${i} add_mapped_luns=false`);
      expect(script).toContain(`targetcli ${T}/acls/${i} create mapped_lun=0 tpg_lun_or_backstore=0`);
    }
    expect(script).toContain(`targetcli ${T} set attribute authentication=1 generate_node_acls=0 demo_mode_write_protect=1`);
    expect(script).toContain('targetcli /backstores/block/tandem-array1 set attribute emulate_pr=1');
    expect(script.trimEnd().split('\n').slice(-2)[0]).toBe('targetcli saveconfig >/dev/null');
  });

  it('never contains the CHAP password: it reads the configured reference when it runs', () => {
    expect(script).toContain('"password=${TANDEM_CHAP_PASSWORD:?set TANDEM_CHAP_PASSWORD to the CHAP password before running this script}"');
    const fromFile = storageHostScript({ ...targetScriptInput(options, 'array1', initiators, '/dev/md/x')!, chap: { user: 'u', password: { file: '/etc/tandem/chap' } } });
    expect(fromFile).toContain('"password=$(cat /etc/tandem/chap)"');
  });

  it('without CHAP, authentication is off and no auth is set', () => {
    const plain = storageHostScript({ ...targetScriptInput(options, 'array1', initiators, '/dev/md/x')!, chap: undefined });
    expect(plain).toContain('authentication=0');
    expect(plain).not.toContain('set auth');
  });
});

/**
 * A stand-in targetcli that keeps the objects it created in a file, answers `<path> ls` with exit 1 for
 * a path that does not exist (as targetcli-fb 2.1.53 does: configshell raises "No such path", main exits 1),
 * and logs every call; the real script runs under /bin/sh against it, twice.
 */
const FAKE_TARGETCLI = `#!/bin/sh
state="$FAKE_DIR/objects"; touch "$state"; echo "$*" >> "$FAKE_DIR/calls"
path="$1"; verb="$2"
case "$verb" in
  ls) grep -qxF "$path" "$state" || { echo "No such path $path" >&2; exit 1; }
      case "$path" in /backstores/block/*) echo "o- \${path##*/} ... [/dev/loop0 (1.0GiB) write-thru activated]";; esac ;;
  create)
    case "$path" in
      /backstores/block) echo "/backstores/block/\${3#name=}" >> "$state" ;;
      /iscsi) echo "/iscsi/$3" >> "$state"; echo "/iscsi/$3/tpg1" >> "$state" ;;
      */portals) echo "$path/$3:$4" >> "$state" ;;
      */luns) echo "$path/lun0" >> "$state" ;;
      */acls) echo "$path/$3" >> "$state" ;;
      */acls/*) echo "$path/mapped_lun0" >> "$state" ;;
    esac
    echo "created" >> "$FAKE_DIR/created" ;;
  delete) grep -vxF "$path/$3:$4" "$state" > "$state.new"; mv "$state.new" "$state" ;;
esac
exit 0
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function runScript(text: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-s'], { input: text, encoding: 'utf8', env: { PATH: `${dir!}:/usr/bin:/bin`, FAKE_DIR: dir!, TANDEM_CHAP_PASSWORD: 'chap-secret-123' }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('storageHostScript under sh: idempotent', () => {
  it('the first run creates every object; the second creates nothing and says "already present"', () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-targetcli-'));
    writeFileSync(join(dir, 'targetcli'), FAKE_TARGETCLI);
    chmodSync(join(dir, 'targetcli'), 0o755);

    const first = runScript(script);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const created = readFileSync(join(dir, 'created'), 'utf8').trim().split('\n').length;
    // backstore, target, portal, lun, and an ACL plus a mapped LUN for each of the two initiators.
    expect(created).toBe(8);
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toContain(`${T}/acls/iqn.2026-12.org.tandem:db1 set auth userid=tandem password=chap-secret-123`);

    const second = runScript(script);
    expect(second.status).toBe(0);
    expect(readFileSync(join(dir, 'created'), 'utf8').trim().split('\n').length).toBe(created);
    expect(second.stdout.match(/already present/g)).toHaveLength(8);
    expect(readFileSync(join(dir, 'objects'), 'utf8')).not.toContain('0.0.0.0');
  });

  it('stops when an existing backstore is on another device', () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-targetcli-'));
    writeFileSync(join(dir, 'targetcli'), FAKE_TARGETCLI.replace('[/dev/loop0 (1.0GiB)', '[/dev/sdz (1.0GiB)'));
    chmodSync(join(dir, 'targetcli'), 0o755);
    writeFileSync(join(dir, 'objects'), '/backstores/block/tandem-array1\n');
    const r = runScript(script);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('backstore tandem-array1 exists but is not on /dev/loop0');
  });
});
