import { shellQuote, type SecretRef } from '@tandem/core';
import type { StorageArray, VolumeOptions } from './options.js';

/** What the storage host's script needs besides the array: who may log in, and how CHAP is given. */
export interface TargetScriptInput {
  readonly array: StorageArray;
  /** Every cluster node's initiator IQN: each gets an ACL. */
  readonly initiators: readonly string[];
  readonly chap?: { readonly user: string; readonly password: SecretRef } | undefined;
  /** For the header: the md device the LUN is a member of. */
  readonly mdDevice: string;
}

/** The LIO backstore name for an array: the array name, prefixed so Tandem's objects are recognisable. */
export function backstoreName(array: StorageArray): string {
  return `tandem-${array.name}`;
}

/**
 * The shell expression that yields the CHAP password at run time. The script never contains the secret:
 * it reads the same reference the config names, on the storage host, when it runs.
 */
function passwordExpression(ref: SecretRef): string {
  if ('env' in ref) return `\${${ref.env}:?set ${ref.env} to the CHAP password before running this script}`;
  return `$(cat ${shellQuote([ref.file])})`;
}

/** One targetcli command line, queued for the single targetcli session at the end of the script. */
const queue = (line: string): string => `add ${shellQuote([line])}`;

/**
 * A POSIX sh script that makes a storage host export its LUN to the cluster's initiators with LIO.
 *
 * Every "is it there?" question is answered from LIO's configfs tree, and everything missing is queued
 * and then given to ONE targetcli session: targetcli takes seconds to start on a small or virtual host,
 * and a script of guarded calls took minutes. A second run finds everything present, starts no
 * targetcli at all, and changes nothing. After the session the tree is checked again, so a command
 * targetcli refused (it does not stop a batch) fails the script instead of passing unnoticed.
 */
export function storageHostScript(input: TargetScriptInput): string {
  const { array } = input;
  const bs = backstoreName(array);
  const tpgCli = `/iscsi/${array.targetIqn}/tpg1`;
  const tpg = `"$LIO/iscsi/${array.targetIqn}/tpgt_1"`;
  const portal = `${array.portal}:${array.port}`;
  const auth = input.chap ? 1 : 0;
  const lines: string[] = [
    '#!/bin/sh',
    `# Tandem volume-iscsi-mirror: storage host "${array.name}", member of ${input.mdDevice}`,
    `# Exports ${array.device} as ${array.targetIqn} LUN 0 on ${portal} only, to:`,
    ...input.initiators.map((i) => `#   ${i}`),
    '# Idempotent: what is present is left alone; a second run starts no targetcli and changes nothing.',
    'set -eu',
    '',
    'LIO=${TANDEM_LIO_ROOT:-/sys/kernel/config/target}',
    "batch=''",
    'add() { batch="$batch$1',
    '"; }',
    'have() { echo "$1: already present"; }',
    'is() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }',
    'missing() { echo "after targetcli: $1 is missing; see the targetcli output above" >&2; exit 1; }',
    '',
    "command -v targetcli >/dev/null 2>&1 || { echo 'targetcli is not installed: apt-get install targetcli-fb' >&2; exit 5; }",
    `[ -b ${shellQuote([array.device])} ] || { echo ${shellQuote([`${array.device} is not a block device on this host; fix arrays[].device`])} >&2; exit 1; }`,
    '[ -d "$LIO" ] || modprobe target_core_mod 2>/dev/null || true',
    `[ -d "$LIO" ] || { echo "LIO's configfs tree ($LIO) is missing: load target_core_mod and iscsi_target_mod, and mount configfs on /sys/kernel/config" >&2; exit 5; }`,
    // LIO rewrites <dbroot>/pr/aptpl_<serial> on every PR registration, and answers NOT READY when it
    // cannot (seen in the VM lab: no /var/target on a fresh host). The fencer's REGISTER needs it.
    'dbroot=$(cat "$LIO/dbroot" 2>/dev/null || echo /var/target)',
    'mkdir -p "$dbroot/pr"',
    '',
    `bs_dir=$(ls -d "$LIO"/core/iblock_*/${bs} 2>/dev/null | head -n 1 || true)`,
    'if [ -n "$bs_dir" ]; then',
    `  have ${shellQuote([`backstore ${bs}`])}`,
    // An existing backstore on another disk would export the wrong data: stop rather than reuse it.
    `  is "$bs_dir/udev_path" ${shellQuote([array.device])} || { echo ${shellQuote([`backstore ${bs} exists but is not on ${array.device}; delete it or fix arrays[].device`])} >&2; exit 1; }`,
    `  is "$bs_dir/attrib/emulate_pr" 1 || ${queue(`/backstores/block/${bs} set attribute emulate_pr=1`)}`,
    'else',
    `  ${queue(`/backstores/block create name=${bs} dev=${array.device}`)}`,
    '  # SCSI-3 persistent reservations: the fencer preempts a fenced node\'s key on this LUN.',
    `  ${queue(`/backstores/block/${bs} set attribute emulate_pr=1`)}`,
    'fi',
    `if [ -d "$LIO/iscsi/${array.targetIqn}" ]; then have ${shellQuote([`target ${array.targetIqn}`])}; else`,
    '  # A new target must not listen on every address: only the portal below, on the storage NIC.',
    `  ${queue('set global auto_add_default_portal=false')}`,
    `  ${queue(`/iscsi create ${array.targetIqn}`)}`,
    'fi',
    `if [ -d ${tpg}/np/0.0.0.0:${array.port} ]; then ${queue(`${tpgCli}/portals delete 0.0.0.0 ${array.port}`)}; fi`,
    `if [ -d ${tpg}/np/${portal} ]; then have ${shellQuote([`portal ${portal}`])}; else ${queue(`${tpgCli}/portals create ${array.portal} ${array.port}`)}; fi`,
    `if [ -d ${tpg}/lun/lun_0 ]; then have lun0; else ${queue(`${tpgCli}/luns create /backstores/block/${bs} lun=0 add_mapped_luns=false`)}; fi`,
    '',
    ...input.initiators.flatMap((initiator) => aclLines(tpg, tpgCli, initiator, input.chap)),
    '',
    '# Only the ACLs above may log in; they may write; CHAP as configured.',
    `is ${tpg}/attrib/authentication ${auth} && is ${tpg}/attrib/generate_node_acls 0 && is ${tpg}/attrib/demo_mode_write_protect 1 || ${queue(`${tpgCli} set attribute authentication=${auth} generate_node_acls=0 demo_mode_write_protect=1`)}`,
    '',
    'if [ -n "$batch" ]; then',
    "  add 'saveconfig'",
    '  printf \'%s\' "$batch" | targetcli',
    // Debian's rtslib moves dbroot to /etc/rtslib-fb-target the first time targetcli runs after the
    // module loads: the pr/ directory must exist there too (a storage host reboot showed it).
    '  dbroot=$(cat "$LIO/dbroot" 2>/dev/null || echo /var/target)',
    '  mkdir -p "$dbroot/pr"',
    '  bs_dir=$(ls -d "$LIO"/core/iblock_*/' + bs + ' 2>/dev/null | head -n 1 || true)',
    `  [ -n "$bs_dir" ] && is "$bs_dir/attrib/emulate_pr" 1 || missing ${shellQuote([`backstore ${bs} with emulate_pr=1`])}`,
    `  for d in np/${portal} lun/lun_0 ${input.initiators.map((i) => `acls/${i}/lun_0`).join(' ')}; do [ -d ${tpg}/$d ] || missing "$d"; done`,
    `  [ ! -d ${tpg}/np/0.0.0.0:${array.port} ] || missing 'the removal of the 0.0.0.0 portal'`,
    `  is ${tpg}/enable 1 || missing 'an enabled TPG 1'`,
    'fi',
    `echo ${shellQuote([`storage host ${array.name}: ${array.targetIqn} exported on ${portal}`])}`,
    '',
  ];
  return lines.join('\n');
}

function aclLines(tpg: string, tpgCli: string, initiator: string, chap: TargetScriptInput['chap']): string[] {
  const acl = `${tpg}/acls/${initiator}`;
  const aclCli = `${tpgCli}/acls/${initiator}`;
  const lines = [
    `if [ -d ${acl} ]; then have ${shellQuote([`acl ${initiator}`])}; else ${queue(`${tpgCli}/acls create ${initiator} add_mapped_luns=false`)}; fi`,
    `if [ -d ${acl}/lun_0 ]; then have ${shellQuote([`mapped lun0 for ${initiator}`])}; else ${queue(`${aclCli} create mapped_lun=0 tpg_lun_or_backstore=0`)}; fi`,
  ];
  if (chap) {
    // The password goes to targetcli on its stdin, never on a command line. targetcli splits a command
    // on spaces, so it must not contain any (the README says so).
    lines.push(`pw="${passwordExpression(chap.password)}"`);
    lines.push(`is ${acl}/auth/userid ${shellQuote([chap.user])} && is ${acl}/auth/password "$pw" || add "${aclCli} set auth userid=${chap.user} password=$pw"`);
  }
  return lines;
}

/** The script input for one array of a volume's options, with every node's initiator name. */
export function targetScriptInput(options: VolumeOptions, arrayName: string, initiators: readonly string[], mdDevice: string): TargetScriptInput | undefined {
  const array = options.arrays.find((a) => a.name === arrayName);
  if (!array) return undefined;
  return { array, initiators, mdDevice, ...(options.chap ? { chap: { user: options.chap.user, password: options.chap.password.ref } } : {}) };
}
