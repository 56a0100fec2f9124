import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  it('turns the default portal off for a new target and creates one portal on the storage address only', () => {
    expect(script).toContain("add 'set global auto_add_default_portal=false'");
    expect(script).toContain(`np/0.0.0.0:3260 ]; then add '${T}/portals delete 0.0.0.0 3260'; fi`);
    expect(script).toContain(`add '${T}/portals create 198.51.100.21 3260'`);
    expect(script).not.toMatch(/portals create 0\.0\.0\.0/);
  });

  it('an ACL and a mapped LUN per initiator; no demo mode; persistent reservations on; saved', () => {
    for (const i of initiators) {
      expect(script).toContain(`add '${T}/acls create ${i} add_mapped_luns=false'`);
      expect(script).toContain(`add '${T}/acls/${i} create mapped_lun=0 tpg_lun_or_backstore=0'`);
    }
    expect(script).toContain(`add '${T} set attribute authentication=1 generate_node_acls=0 demo_mode_write_protect=1'`);
    expect(script).toContain("add '/backstores/block/tandem-array1 set attribute emulate_pr=1'");
    expect(script).toContain("add 'saveconfig'");
  });

  it('starts targetcli once, for everything missing, and checks the result in configfs', () => {
    expect(script).toContain(`mkdir -p "$dbroot/pr"`);
    expect(script.match(/\| targetcli$/gm)).toHaveLength(1);
    expect(script).toContain('missing "$d"');
  });

  it('never contains the CHAP password: it reads the configured reference when it runs, and hands it to targetcli on stdin', () => {
    expect(script).toContain('pw="${TANDEM_CHAP_PASSWORD:?set TANDEM_CHAP_PASSWORD to the CHAP password before running this script}"');
    const fromFile = storageHostScript({ ...targetScriptInput(options, 'array1', initiators, '/dev/md/x')!, chap: { user: 'u', password: { file: '/etc/tandem/chap' } } });
    expect(fromFile).toContain('pw="$(cat /etc/tandem/chap)"');
  });

  it('without CHAP, authentication is off and no auth is set', () => {
    const plain = storageHostScript({ ...targetScriptInput(options, 'array1', initiators, '/dev/md/x')!, chap: undefined });
    expect(plain).toContain('authentication=0');
    expect(plain).not.toContain('set auth');
  });
});

/**
 * A stand-in targetcli that reads its commands from stdin, as the script gives them, and keeps LIO's
 * configfs tree under $FAKE_DIR/lio the way the kernel does (iblock_0/<name>/udev_path, tpgt_1/np/<ip>:<port>,
 * acls/<iqn>/lun_0, attrib files). Every command line is logged, creates counted.
 */
const FAKE_TARGETCLI = `#!/bin/sh
L="$FAKE_DIR/lio"; tpgdir() { echo "$L/iscsi/$(echo "$1" | cut -d/ -f3)/tpgt_1"; }
echo run >> "$FAKE_DIR/runs"
while read -r line; do
  echo "$line" >> "$FAKE_DIR/calls"
  set -- $line
  case "$1 $2" in
    "set global") [ "$3" = auto_add_default_portal=false ] && touch "$FAKE_DIR/no-default-portal" ;;
    "/backstores/block create") n=\${3#name=}; mkdir -p "$L/core/iblock_0/$n/attrib"; echo "\${4#dev=}" > "$L/core/iblock_0/$n/udev_path"; echo 0 > "$L/core/iblock_0/$n/attrib/emulate_pr"; echo created >> "$FAKE_DIR/created" ;;
    "/iscsi create") t="$L/iscsi/$3/tpgt_1"; mkdir -p "$t/np" "$t/lun" "$t/acls" "$t/attrib"; echo 1 > "$t/enable"; echo 1 > "$t/attrib/authentication"
      [ -e "$FAKE_DIR/no-default-portal" ] || mkdir "$t/np/0.0.0.0:3260"; echo created >> "$FAKE_DIR/created" ;;
    saveconfig*) echo saved >> "$FAKE_DIR/saved" ;;
    *)
      p="$1"; verb="$2"; shift 2
      case "$p $verb" in
        */portals\\ delete) rmdir "$(tpgdir "$p")/np/$1:$2" ;;
        */portals\\ create) mkdir "$(tpgdir "$p")/np/$1:$2"; echo created >> "$FAKE_DIR/created" ;;
        */luns\\ create) mkdir "$(tpgdir "$p")/lun/lun_0"; echo created >> "$FAKE_DIR/created" ;;
        */acls\\ create) mkdir -p "$(tpgdir "$p")/acls/$1/auth"; echo created >> "$FAKE_DIR/created" ;;
        */acls/*\\ create) mkdir "$(tpgdir "$p")/acls/\${p##*/}/lun_0"; echo created >> "$FAKE_DIR/created" ;;
        */acls/*\\ set) d="$(tpgdir "$p")/acls/\${p##*/}/auth"; for kv in $2 $3; do echo "\${kv#*=}" > "$d/\${kv%%=*}"; done ;;
        /backstores/block/*\\ set) for kv in $2; do echo "\${kv#*=}" > "$L/core/iblock_0/\${p##*/}/attrib/\${kv%%=*}"; done ;;
        */tpg1\\ set) for kv in "$@"; do [ "$kv" = attribute ] || echo "\${kv#*=}" > "$(tpgdir "$p")/attrib/\${kv%%=*}"; done ;;
        *) echo "fake targetcli: unknown command: $line" >&2; exit 3 ;;
      esac ;;
  esac
done
exit 0
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function runScript(text: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-s'], { input: text, encoding: 'utf8', env: { PATH: `${dir!}:/usr/bin:/bin`, FAKE_DIR: dir!, TANDEM_LIO_ROOT: join(dir!, 'lio'), TANDEM_CHAP_PASSWORD: 'chap-secret-123' }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fakeLio(targetcli = FAKE_TARGETCLI): string {
  const d = mkdtempSync(join(tmpdir(), 'tandem-targetcli-'));
  writeFileSync(join(d, 'targetcli'), targetcli);
  chmodSync(join(d, 'targetcli'), 0o755);
  mkdirSync(join(d, 'lio', 'core'), { recursive: true });
  // Where LIO keeps persistent-reservation state; the script makes its pr/ directory.
  writeFileSync(join(d, 'lio', 'dbroot'), `${join(d, 'dbroot')}\n`);
  return d;
}

const count = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0);

describe('storageHostScript under sh: idempotent', () => {
  it('the first run creates every object in one targetcli session; the second starts no targetcli and says "already present"', () => {
    dir = fakeLio();
    const first = runScript(script);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(count(join(dir, 'runs'))).toBe(1);
    // backstore, target, portal, lun, and an ACL plus a mapped LUN for each of the two initiators.
    expect(count(join(dir, 'created'))).toBe(8);
    expect(existsSync(join(dir, 'dbroot', 'pr'))).toBe(true);
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toContain(`${T}/acls/iqn.2026-12.org.tandem:db1 set auth userid=tandem password=chap-secret-123`);
    expect(existsSync(join(dir, 'lio/iscsi/iqn.2026-12.org.tandem:array1/tpgt_1/np/0.0.0.0:3260'))).toBe(false);

    const second = runScript(script);
    expect(second.status).toBe(0);
    expect(count(join(dir, 'runs'))).toBe(1);
    expect(count(join(dir, 'saved'))).toBe(1);
    expect(second.stdout.match(/already present/g)).toHaveLength(8);
  });

  it('a target made by hand with the default portal loses 0.0.0.0 and gets the storage portal', () => {
    dir = fakeLio();
    const t = join(dir, 'lio/iscsi/iqn.2026-12.org.tandem:array1/tpgt_1');
    for (const d of ['np/0.0.0.0:3260', 'lun', 'acls', 'attrib']) mkdirSync(join(t, d), { recursive: true });
    writeFileSync(join(t, 'enable'), '1\n');
    const r = runScript(script);
    expect(r.status).toBe(0);
    expect(existsSync(join(t, 'np/0.0.0.0:3260'))).toBe(false);
    expect(existsSync(join(t, 'np/198.51.100.21:3260'))).toBe(true);
  });

  it('fails, naming it, when targetcli did not create what was asked', () => {
    dir = fakeLio(FAKE_TARGETCLI.replace('mkdir "$(tpgdir "$p")/lun/lun_0";', ''));
    const r = runScript(script);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('after targetcli: lun/lun_0 is missing');
  });

  it('stops when an existing backstore is on another device', () => {
    dir = fakeLio();
    mkdirSync(join(dir, 'lio/core/iblock_3/tandem-array1/attrib'), { recursive: true });
    writeFileSync(join(dir, 'lio/core/iblock_3/tandem-array1/udev_path'), '/dev/sdz\n');
    const r = runScript(script);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('backstore tandem-array1 exists but is not on /dev/loop0');
    expect(count(join(dir, 'runs'))).toBe(0);
  });
});
