import { sensitive, type CallContext } from '@tandem/core';
import type { HostCommands } from './host-commands.js';
import { ISCSI_IFACE, type StorageArray } from './options.js';
import { done, stop, type Step } from './step.js';

/** open-iscsi's node database (2.1: one directory per target, portal and tpgt, one file per iface). */
export const NODE_DIR = '/etc/iscsi/nodes';
const PASSWORD_KEY = 'node.session.auth.password';
const END = '# END RECORD';

/**
 * `sh -c WRITE_PRIVATE tandem-write-private <file>` writes its stdin into <file>, created mode 600: the
 * umask is set before the shell opens the file, so it is never readable by others, not even while being
 * written; a leftover <file> (from a write that failed) is removed first, since `>` keeps an existing
 * file's mode; noclobber (`set -C`) then refuses anything that appears in between instead of writing
 * through it. Not `install -m 600 /dev/stdin`: a host whose /dev has no stdin link (the VM lab's guests:
 * devtmpfs without udev's links) fails with `cannot stat '/dev/stdin'`. The password is only ever on
 * stdin; argv has the file name.
 */
export const WRITE_PRIVATE = 'umask 077 && rm -f -- "$1" && set -C && cat > "$1"';

export const nodeRecordPath = (a: StorageArray, tpgt: string): string => `${NODE_DIR}/${a.targetIqn}/${a.portal},${a.port},${tpgt}/${ISCSI_IFACE}`;

/** The portal group tag sendtargets discovery gave for this portal (`198.51.100.21:3260,1 iqn…`). */
export function tpgtOf(discovery: string, a: StorageArray): string | undefined {
  for (const line of discovery.split('\n')) {
    const [portal, iqn] = line.trim().split(/\s+/);
    const m = /^(.+):(\d+),(\d+)$/.exec(portal ?? '');
    if (m && iqn === a.targetIqn && m[1] === a.portal && Number(m[2]) === a.port) return m[3];
  }
  return undefined;
}

/** The record text with the password line set (replaced, or added before the end marker). */
export function withPassword(record: string, password: string): string {
  const lines = record.replace(/\n$/, '').split('\n');
  const wanted = `${PASSWORD_KEY} = ${password}`;
  const at = lines.findIndex((l) => l.startsWith(`${PASSWORD_KEY} `) || l.startsWith(`${PASSWORD_KEY}=`));
  if (at >= 0) lines[at] = wanted;
  else {
    const end = lines.lastIndexOf(END);
    lines.splice(end >= 0 ? end : lines.length, 0, wanted);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the CHAP password into the node record file instead of `iscsiadm -o update -n … -v <password>`:
 * iscsiadm takes a value only on its argv, where `ps` and every failure message would show it. The
 * record is read with cat, and written whole through stdin into `<record>.tandem-new` by WRITE_PRIVATE
 * (created mode 600 from the start), then `mv`, so a reader never sees half a file; iscsiadm reads the
 * file at login and keeps the line on its own updates (checked with open-iscsi 2.1.8). Nothing is
 * written when the line is already there.
 */
export async function setRecordPassword(sh: HostCommands, ctx: CallContext, array: StorageArray, tpgt: string, password: string): Promise<Step<void>> {
  if (/[\r\n]/.test(password)) return stop('config-error', 'the CHAP password contains a line break; an iSCSI node record holds one value per line');
  const path = nodeRecordPath(array, tpgt);
  const read = await sh.ask(ctx, 'cat', [path]);
  if (!read.ok) return read;
  if (read.value.exitCode !== 0) return stop('failed', `cannot read the iSCSI node record ${path} to set the CHAP password (cat exited ${read.value.exitCode}); discovery through ${ISCSI_IFACE} should have created it`);
  const current = read.value.stdout;
  const next = withPassword(current, password);
  if (next === current) return done(undefined);
  const tmp = `${path}.tandem-new`;
  const written = await sh.run(ctx, 'sh', ['-c', WRITE_PRIVATE, 'tandem-write-private', tmp], { input: sensitive(next) });
  if (!written.ok) return stop(written.outcome.code, `writing the CHAP password into the iSCSI node record ${path}: ${written.outcome.reason}`);
  const moved = await sh.run(ctx, 'mv', ['-f', tmp, path]);
  return moved.ok ? done(undefined) : stop(moved.outcome.code, `writing the CHAP password into the iSCSI node record ${path}: ${moved.outcome.reason}`);
}
