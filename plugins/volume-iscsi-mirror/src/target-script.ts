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

/**
 * A POSIX sh script that makes a storage host export its LUN to the cluster's initiators with LIO.
 * Every creating step is guarded by `targetcli <path> ls` (exit 1 when the path does not exist), so a
 * second run creates nothing and prints "already present" for each object; `set` steps are idempotent.
 */
export function storageHostScript(input: TargetScriptInput): string {
  const { array } = input;
  const bs = backstoreName(array);
  const tpg = `/iscsi/${array.targetIqn}/tpg1`;
  const portal = `${array.portal}:${array.port}`;
  const lines: string[] = [
    '#!/bin/sh',
    `# Tandem volume-iscsi-mirror: storage host "${array.name}", member of ${input.mdDevice}`,
    `# Exports ${array.device} as ${array.targetIqn} LUN 0 on ${portal} only, to:`,
    ...input.initiators.map((i) => `#   ${i}`),
    '# Idempotent: each step checks first, so running it again changes nothing.',
    'set -eu',
    '',
    'present() { targetcli "$1" ls >/dev/null 2>&1; }',
    'have() { echo "$1: already present"; }',
    '',
    "command -v targetcli >/dev/null 2>&1 || { echo 'targetcli is not installed: apt-get install targetcli-fb' >&2; exit 5; }",
    `[ -b ${shellQuote([array.device])} ] || { echo ${shellQuote([`${array.device} is not a block device on this host; fix arrays[].device`])} >&2; exit 1; }`,
    '',
    '# A new target must not listen on every address: only the portal below, on the storage NIC.',
    'targetcli set global auto_add_default_portal=false >/dev/null',
    '',
    ...guarded(`/backstores/block/${bs}`, `backstore ${bs}`, ['targetcli', '/backstores/block', 'create', `name=${bs}`, `dev=${array.device}`]),
    // An existing backstore on another disk would export the wrong data: stop rather than reuse it.
    `targetcli /backstores/block/${bs} ls | grep -qF ${shellQuote([`[${array.device} `])} || { echo ${shellQuote([`backstore ${bs} exists but is not on ${array.device}; delete it or fix arrays[].device`])} >&2; exit 1; }`,
    '# SCSI-3 persistent reservations: the fencer preempts a fenced node\'s key on this LUN.',
    `targetcli /backstores/block/${bs} set attribute emulate_pr=1 >/dev/null`,
    '',
    ...guarded(`/iscsi/${array.targetIqn}`, `target ${array.targetIqn}`, ['targetcli', '/iscsi', 'create', array.targetIqn]),
    `if present ${tpg}/portals/0.0.0.0:${array.port}; then targetcli ${tpg}/portals delete 0.0.0.0 ${array.port}; fi`,
    ...guarded(`${tpg}/portals/${portal}`, `portal ${portal}`, ['targetcli', `${tpg}/portals`, 'create', array.portal, String(array.port)]),
    ...guarded(`${tpg}/luns/lun0`, 'lun0', ['targetcli', `${tpg}/luns`, 'create', `/backstores/block/${bs}`, 'lun=0', 'add_mapped_luns=false']),
    '',
    ...input.initiators.flatMap((initiator) => aclLines(tpg, initiator, input.chap)),
    '',
    '# Only the ACLs above may log in; they may write; CHAP as configured.',
    `targetcli ${tpg} set attribute authentication=${input.chap ? 1 : 0} generate_node_acls=0 demo_mode_write_protect=1 >/dev/null`,
    'targetcli saveconfig >/dev/null',
    `echo ${shellQuote([`storage host ${array.name}: ${array.targetIqn} exported on ${portal}`])}`,
    '',
  ];
  return lines.join('\n');
}

function guarded(path: string, what: string, create: readonly string[]): string[] {
  return [`if present ${path}; then have ${shellQuote([what])}; else ${shellQuote(create)}; fi`];
}

function aclLines(tpg: string, initiator: string, chap: TargetScriptInput['chap']): string[] {
  const acl = `${tpg}/acls/${initiator}`;
  const lines = [
    ...guarded(acl, `acl ${initiator}`, ['targetcli', `${tpg}/acls`, 'create', initiator, 'add_mapped_luns=false']),
    ...guarded(`${acl}/mapped_lun0`, `mapped lun0 for ${initiator}`, ['targetcli', acl, 'create', 'mapped_lun=0', 'tpg_lun_or_backstore=0']),
  ];
  if (chap) {
    // targetcli joins its argv with spaces, so the password must not contain any (the README says so).
    lines.push(`targetcli ${acl} set auth userid=${shellQuote([chap.user])} "password=${passwordExpression(chap.password)}" >/dev/null`);
  }
  return lines;
}

/** The script input for one array of a volume's options, with every node's initiator name. */
export function targetScriptInput(options: VolumeOptions, arrayName: string, initiators: readonly string[], mdDevice: string): TargetScriptInput | undefined {
  const array = options.arrays.find((a) => a.name === arrayName);
  if (!array) return undefined;
  return { array, initiators, mdDevice, ...(options.chap ? { chap: { user: options.chap.user, password: options.chap.password.ref } } : {}) };
}
