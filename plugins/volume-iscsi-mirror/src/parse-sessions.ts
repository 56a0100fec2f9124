/** One logged-in iSCSI session as `iscsiadm -m session -P 3` shows it. */
export interface IscsiSession {
  readonly targetIqn: string;
  /** `198.51.100.21:3260` (the `,1` portal group tag dropped). */
  readonly portal: string;
  readonly iface: string | undefined;
  /** "LOGGED_IN", "FAILED", "FREE": a session in recovery still lists its disk, but it does not answer. */
  readonly sessionState: string | undefined;
  /** Kernel names of the attached disks (`sdb`), in LUN order. */
  readonly disks: readonly string[];
}

/**
 * Parse `iscsiadm -m session -P 3`. Each session starts at a `Target: <iqn>` line; the fields Tandem
 * needs are `Current Portal:`, `Iface Name:`, `iSCSI Session State:` and the
 * `Attached scsi disk sdX   State: running` lines under "Attached SCSI devices".
 */
export function parseIscsiSessions(text: string): IscsiSession[] {
  const sessions: IscsiSession[] = [];
  let current: { targetIqn: string; portal: string; iface: string | undefined; sessionState: string | undefined; disks: string[] } | undefined;
  const flush = (): void => {
    if (current) sessions.push(current);
    current = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const target = /^Target:\s+(\S+)/.exec(line);
    if (target) {
      flush();
      current = { targetIqn: target[1]!, portal: '', iface: undefined, sessionState: undefined, disks: [] };
      continue;
    }
    if (!current) continue;
    const portal = /^Current Portal:\s+([^,\s]+)/.exec(line);
    if (portal) {
      // A second session to the same target (another portal) shows up as another Current Portal block.
      if (current.portal !== '') {
        const { targetIqn } = current;
        flush();
        current = { targetIqn, portal: '', iface: undefined, sessionState: undefined, disks: [] };
      }
      current.portal = portal[1]!;
      continue;
    }
    const iface = /^Iface Name:\s+(\S+)/.exec(line);
    if (iface) current.iface = iface[1];
    const state = /^iSCSI Session State:\s+(\S+)/.exec(line);
    if (state) current.sessionState = state[1];
    const disk = /^Attached scsi disk\s+(\S+)/.exec(line);
    if (disk) current.disks.push(disk[1]!);
  }
  flush();
  return sessions;
}

/** iscsiadm's exit code when there is nothing to list or log out of (ISCSI_ERR_NO_OBJS_FOUND). */
export const ISCSI_NO_OBJECTS = 21;
/** iscsiadm's exit code for a login to a session that already exists (ISCSI_ERR_SESS_EXISTS). */
export const ISCSI_SESSION_EXISTS = 15;
