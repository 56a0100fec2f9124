import type { ArrayDetail } from './parse-mdadm.js';
import type { MdstatArray } from './parse-mdstat.js';

export type VolumeState = 'clean' | 'degraded' | 'resyncing' | 'recovering' | 'inactive' | 'absent';
export type MemberState = 'in-sync' | 'faulty' | 'spare' | 'missing' | 'rebuilding';

export interface VolumeMember {
  /** The configured array (storage host) name. */
  readonly array: string;
  /** `/dev/sdb` on this node, when its LUN is logged in. */
  readonly device: string | undefined;
  readonly state: MemberState;
}

export interface VolumeProgress {
  readonly percent: number;
  readonly speedKiBs: number | undefined;
  readonly finishMinutes: number | undefined;
}

/** The mirror as this node sees it: what `tandem volume status` prints and monitor reports. */
export interface VolumeStatus {
  readonly device: string;
  /** `md127` when the array exists. */
  readonly kernelName: string | undefined;
  readonly state: VolumeState;
  readonly members: readonly VolumeMember[];
  readonly progress?: VolumeProgress;
  /** Set when the volume serves with less redundancy than configured: "degraded: array2 missing". */
  readonly degraded?: string;
}

export interface StatusInput {
  readonly device: string;
  readonly arrays: readonly string[];
  /** Kernel disk name per array (`sdb`), from the iSCSI sessions. */
  readonly disks: ReadonlyMap<string, string | undefined>;
  readonly kernelName: string | undefined;
  readonly mdstat: MdstatArray | undefined;
  readonly detail: ArrayDetail | undefined;
}

function memberState(input: StatusInput, disk: string | undefined): MemberState {
  if (!disk) return 'missing';
  const inDetail = input.detail?.members.find((m) => m.device === `/dev/${disk}`);
  const inMdstat = input.mdstat?.members.find((m) => m.device === disk);
  if (!inDetail && !inMdstat) return 'missing';
  if (inDetail?.role === 'faulty' || inMdstat?.faulty) return 'faulty';
  const role = inDetail?.role;
  if (typeof role === 'number') {
    // A member being rebuilt holds its slot already but shows `_` in the slot map until it is in sync.
    return input.mdstat?.slotMap?.[role] === '_' ? 'rebuilding' : 'in-sync';
  }
  return input.mdstat?.progress?.action === 'recovery' ? 'rebuilding' : 'spare';
}

function arrayState(input: StatusInput): VolumeState {
  const md = input.mdstat;
  if (!input.kernelName || !md) return 'absent';
  if (!md.active) return 'inactive';
  if (md.progress?.action === 'recovery') return 'recovering';
  if (md.progress) return 'resyncing';
  if (md.slots !== undefined && md.inSync !== undefined && md.inSync < md.slots) return 'degraded';
  return 'clean';
}

/** Combine `mdadm --detail --export`, /proc/mdstat and the iSCSI sessions into one status. */
export function volumeStatus(input: StatusInput): VolumeStatus {
  const state = arrayState(input);
  const members = input.arrays.map((array): VolumeMember => {
    const disk = input.disks.get(array);
    return { array, device: disk ? `/dev/${disk}` : undefined, state: state === 'absent' ? 'missing' : memberState(input, disk) };
  });
  const p = input.mdstat?.progress;
  const lacking = members.filter((m) => m.state !== 'in-sync');
  const degraded = (state === 'degraded' || state === 'recovering') && lacking.length > 0 ? `degraded: ${lacking.map((m) => `${m.array} ${m.state}`).join(', ')}` : undefined;
  return {
    device: input.device,
    kernelName: input.kernelName,
    state,
    members,
    ...(p ? { progress: { percent: p.percent, speedKiBs: p.speedKiBs, finishMinutes: p.finishMinutes } } : {}),
    ...(degraded ? { degraded } : {}),
  };
}

/** One line for logs and monitor reasons: "md127 clean: array1 in-sync, array2 in-sync". */
export function describeStatus(s: VolumeStatus): string {
  const members = s.members.map((m) => `${m.array} ${m.state}`).join(', ');
  const progress = s.progress ? ` (${s.progress.percent}%${s.progress.finishMinutes === undefined ? '' : `, ${s.progress.finishMinutes} min left`})` : '';
  return `${s.device} ${s.state}${progress}: ${members}`;
}
