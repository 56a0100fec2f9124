/** `KEY=value` lines, as mdadm's `--export` prints them (shell-sourceable, one per line). */
export function parseExport(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** What a member's md superblock says, from `mdadm --examine --export` and plain `mdadm --examine`. */
export interface MemberSuperblock {
  /** The array UUID (MD_UUID), lower case. */
  readonly arrayUuid: string;
  readonly events: number;
  /** This device's own UUID (MD_DEV_UUID). */
  readonly deviceUuid: string | undefined;
  /** `Device Role : Active device 0` → 0; undefined for a spare. */
  readonly role: number | undefined;
  /**
   * `Array State : A.` → ['A', '.']: what this member last recorded about every slot. A survivor that
   * kept writing after its peer failed records the peer's slot as missing ('.'); a member that dropped
   * out while the array ran on still believes both are active.
   */
  readonly arrayState: readonly string[];
}

/** `MD_UUID` etc. from `--examine --export`; undefined when the device has no md superblock (mdadm exits 1 then). */
export function parseExamine(exportText: string, plainText: string): MemberSuperblock | undefined {
  const kv = parseExport(exportText);
  const uuid = kv.get('MD_UUID');
  if (!uuid) return undefined;
  const events = Number(kv.get('MD_EVENTS') ?? 'NaN');
  const roleMatch = /Device Role\s*:\s*Active device (\d+)/.exec(plainText);
  const stateMatch = /Array State\s*:\s*([AR.?]+)/.exec(plainText);
  return {
    arrayUuid: uuid.toLowerCase(),
    events: Number.isFinite(events) ? events : -1,
    deviceUuid: kv.get('MD_DEV_UUID'),
    role: roleMatch ? Number(roleMatch[1]) : undefined,
    arrayState: stateMatch ? [...stateMatch[1]!] : [],
  };
}

export type DetailRole = number | 'spare' | 'faulty' | 'journal';

/** One member of a running array from `mdadm --detail --export`. */
export interface DetailMember {
  /** `/dev/sdb` (MD_DEVICE_<name>_DEV). */
  readonly device: string;
  readonly role: DetailRole;
}

export interface ArrayDetail {
  readonly arrayUuid: string | undefined;
  readonly level: string | undefined;
  /** MD_DEVICES: the slots the array has (2 for this mirror). */
  readonly raidDevices: number;
  readonly members: readonly DetailMember[];
}

/**
 * `mdadm --detail --export /dev/md/x`: MD_LEVEL, MD_DEVICES, MD_METADATA, MD_UUID, MD_NAME, then per
 * member `MD_DEVICE_dev_sdb_ROLE=0|spare|faulty|journal` and `MD_DEVICE_dev_sdb_DEV=/dev/sdb`.
 */
export function parseDetail(text: string): ArrayDetail {
  const kv = parseExport(text);
  const members: DetailMember[] = [];
  for (const [key, value] of kv) {
    const m = /^MD_DEVICE_(.+)_ROLE$/.exec(key);
    if (!m) continue;
    const device = kv.get(`MD_DEVICE_${m[1]!}_DEV`) ?? `/dev/${m[1]!.replace(/^dev_/, '')}`;
    const role: DetailRole = /^\d+$/.test(value) ? Number(value) : value === 'faulty' || value === 'journal' ? value : 'spare';
    members.push({ device, role });
  }
  return {
    arrayUuid: kv.get('MD_UUID')?.toLowerCase(),
    level: kv.get('MD_LEVEL'),
    raidDevices: Number(kv.get('MD_DEVICES') ?? '0') || 0,
    members,
  };
}
