import { ISCSI_IFACE, type StorageArray } from './options.js';

/**
 * Argument vectors for iscsiadm and mdadm, one function per operation, so the agent, `volume plan` and
 * the tests agree on every byte. Logins always name Tandem's iface, which is bound to the storage NIC:
 * iSCSI traffic never leaves on another network.
 */
export const portalOf = (a: StorageArray): string => `${a.portal}:${a.port}`;

export const iscsi = {
  showIface: (): string[] => ['-m', 'iface', '-I', ISCSI_IFACE],
  newIface: (): string[] => ['-m', 'iface', '-I', ISCSI_IFACE, '-o', 'new'],
  setIface: (name: string, value: string): string[] => ['-m', 'iface', '-I', ISCSI_IFACE, '-o', 'update', '-n', name, '-v', value],
  discover: (a: StorageArray): string[] => ['-m', 'discovery', '-t', 'sendtargets', '-p', portalOf(a), '-I', ISCSI_IFACE],
  showNode: (a: StorageArray): string[] => ['-m', 'node', '-T', a.targetIqn, '-p', portalOf(a), '-I', ISCSI_IFACE],
  setNode: (a: StorageArray, name: string, value: string): string[] => ['-m', 'node', '-T', a.targetIqn, '-p', portalOf(a), '-I', ISCSI_IFACE, '-o', 'update', '-n', name, '-v', value],
  login: (a: StorageArray): string[] => ['-m', 'node', '-T', a.targetIqn, '-p', portalOf(a), '-I', ISCSI_IFACE, '--login'],
  logout: (a: StorageArray): string[] => ['-m', 'node', '-T', a.targetIqn, '-p', portalOf(a), '-I', ISCSI_IFACE, '--logout'],
  sessions: (): string[] => ['-m', 'session', '-P', '3'],
};

export const mdadm = {
  examineExport: (dev: string): string[] => ['--examine', '--export', dev],
  examine: (dev: string): string[] => ['--examine', dev],
  detailExport: (md: string): string[] => ['--detail', '--export', md],
  /** Never --force: mdadm picks the fresher member by event count and leaves a stale one out. */
  assemble: (md: string, uuid: string, devs: readonly string[]): string[] => ['--assemble', md, `--uuid=${uuid}`, '--run', ...devs],
  create: (md: string, uuid: string, name: string, devs: readonly string[]): string[] => [
    '--create',
    md,
    '--level=1',
    '--raid-devices=2',
    '--metadata=1.2',
    '--bitmap=internal',
    `--uuid=${uuid}`,
    `--name=${name}`,
    '--run',
    ...devs,
  ],
  /** With the write-intent bitmap, --re-add copies only the regions written while the member was away. */
  reAdd: (md: string, dev: string): string[] => [md, '--re-add', dev],
  add: (md: string, dev: string): string[] => [md, '--add', dev],
  remove: (md: string, dev: string): string[] => [md, '--remove', dev],
  stop: (md: string): string[] => ['--stop', md],
};
