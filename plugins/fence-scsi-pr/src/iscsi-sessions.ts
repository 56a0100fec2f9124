/** One LUN of a logged-in iSCSI session, as `iscsiadm -m session -P 3` lists it. */
export interface AttachedLun {
  readonly targetIqn: string;
  readonly lun: number;
  /** Kernel name of the disk (`sdb`). */
  readonly disk: string;
  /** The session's portal (`10.0.3.21:3260,1`), for messages. */
  readonly portal: string | undefined;
}

/**
 * Read the LUNs of every session from `iscsiadm -m session -P 3`. The page
 * nests: `Target: <iqn> (non-flash)`, then per session `Current Portal:`, and
 * under "Attached SCSI devices" a `scsiN Channel C Id I Lun: L` line followed
 * by `Attached scsi disk sdX  State: running`. Guests in the VM lab have no
 * udev (no /dev/disk/by-path), so this page is how a target's LUN is found.
 */
export function parseSessionDisks(stdout: string): AttachedLun[] {
  const found: AttachedLun[] = [];
  let target: string | undefined;
  let portal: string | undefined;
  let lun: number | undefined;
  for (const line of stdout.split('\n')) {
    const t = /^\s*Target:\s*(\S+)/.exec(line);
    if (t) {
      target = t[1];
      portal = undefined;
      lun = undefined;
      continue;
    }
    const p = /^\s*Current Portal:\s*(\S+)/.exec(line);
    if (p) {
      portal = p[1];
      lun = undefined;
      continue;
    }
    const l = /\bLun:\s*(\d+)/.exec(line);
    if (l) {
      lun = Number(l[1]);
      continue;
    }
    const d = /Attached scsi disk\s+(\S+)/.exec(line);
    if (d && target !== undefined && lun !== undefined) found.push({ targetIqn: target, lun, disk: d[1]!, portal });
  }
  return found;
}
