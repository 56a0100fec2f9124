import type { OutcomeCode } from '@tandem/core';
import type { MemberSuperblock } from './parse-mdadm.js';

/** One configured array as the initiator found it, before anything is assembled. */
export interface ExaminedMember {
  readonly array: string;
  /** `/dev/sdb`; undefined when its LUN is not logged in or has no disk. */
  readonly device: string | undefined;
  /** The md superblock on it; `none` when the disk has none; undefined when there is no disk. */
  readonly superblock: MemberSuperblock | 'none' | undefined;
}

export type AssemblyDecision =
  | { readonly kind: 'assemble'; readonly devices: readonly string[]; readonly note: string }
  | { readonly kind: 'refuse'; readonly code: OutcomeCode; readonly reason: string };

export interface DecisionPolicy {
  readonly arrayUuid: string;
  readonly allowDegradedTakeover: boolean;
  readonly mdDevice: string;
}

const refuse = (code: OutcomeCode, reason: string): AssemblyDecision => ({ kind: 'refuse', code, reason });

/** Whether this member's superblock says the *other* slot's member failed or was removed while it ran on. */
function recordsPeerMissing(sb: MemberSuperblock): boolean {
  if (sb.role === undefined) return false;
  return sb.arrayState.some((letter, slot) => slot !== sb.role && letter === '.');
}

/**
 * Decide whether and how to assemble the mirror on this node, from what each member's superblock says.
 * The rules that keep data safe on takeover:
 * - a member whose array UUID is not the configured one is never used (config-error naming both UUIDs);
 * - with both members, assemble both and let mdadm pick the fresher by event count (never --force);
 * - two members that each recorded the other as missing ran apart (split brain): refuse, an operator chooses;
 * - with one member, assemble only if it recorded the other as failed (it is the survivor that kept
 *   writing), or the operator set allowDegradedTakeover.
 */
export function decideAssembly(members: readonly ExaminedMember[], policy: DecisionPolicy): AssemblyDecision {
  for (const m of members) {
    if (m.device && m.superblock && m.superblock !== 'none' && m.superblock.arrayUuid !== policy.arrayUuid) {
      return refuse(
        'config-error',
        `${m.device} (${m.array}) belongs to md array ${m.superblock.arrayUuid}, not to the configured arrayUuid ${policy.arrayUuid}; it is never used. Check arrays[].targetIqn/device for ${m.array} and options.arrayUuid`,
      );
    }
  }
  const usable = members.filter((m): m is ExaminedMember & { device: string; superblock: MemberSuperblock } => m.device !== undefined && m.superblock !== undefined && m.superblock !== 'none');
  const blank = members.filter((m) => m.device !== undefined && m.superblock === 'none');
  const absent = members.filter((m) => m.device === undefined);
  if (usable.length === 0) {
    if (blank.length > 0 && absent.length === 0) {
      return refuse('config-error', `no member carries an md superblock (${blank.map((m) => `${m.array} ${m.device!}`).join(', ')}): the mirror was never created; create it once with \`tandem volume apply --create\``);
    }
    return refuse('failed', `no member of ${policy.mdDevice} is usable: ${describeMissing(members)}; check that the storage hosts export their LUNs and that this node can reach their portals over its storage NIC`);
  }
  if (usable.length === 2) {
    const [a, b] = usable as [(typeof usable)[0], (typeof usable)[0]];
    if (recordsPeerMissing(a.superblock) && recordsPeerMissing(b.superblock)) {
      return refuse(
        'failed',
        `split brain: ${a.array} (events ${a.superblock.events}) and ${b.array} (events ${b.superblock.events}) each recorded the other as missing, so both were written apart. ` +
          `Compare them, keep one: assemble it alone with \`mdadm --assemble ${policy.mdDevice} --run <its device>\`, then \`mdadm --zero-superblock\` the other and add it back`,
      );
    }
    return { kind: 'assemble', devices: [a.device, b.device], note: freshness(a, b) };
  }
  const [only] = usable as [(typeof usable)[0]];
  const others = members.filter((m) => m !== only).map((m) => m.array);
  if (recordsPeerMissing(only.superblock)) {
    return { kind: 'assemble', devices: [only.device], note: `degraded: only ${only.array} is present, and its superblock records ${others.join(', ')} as failed (it is the survivor that kept writing)` };
  }
  if (policy.allowDegradedTakeover) {
    return { kind: 'assemble', devices: [only.device], note: `degraded: only ${only.array} is present; started because allowDegradedTakeover is true although its superblock does not record ${others.join(', ')} as failed` };
  }
  return refuse(
    'failed',
    `refusing to start ${policy.mdDevice} from ${only.array} alone: ${describeMissing(members.filter((m) => m !== only))}, and ${only.array}'s superblock (Array State ${only.superblock.arrayState.join('') || 'unknown'}) ` +
      `does not record it as failed, so ${only.array} may be the stale copy. Bring ${others.join(', ')} back, or check with \`mdadm --examine ${only.device}\` on both members which has the higher Events; ` +
      `set options.allowDegradedTakeover: true only if ${only.array} is known to be the fresher one`,
  );
}

function describeMissing(members: readonly ExaminedMember[]): string {
  return members
    .map((m) => (m.device === undefined ? `${m.array}'s LUN is not logged in` : m.superblock === 'none' ? `${m.array} (${m.device}) has no md superblock` : `${m.array} is on ${m.device}`))
    .join('; ');
}

function freshness(a: { array: string; superblock: MemberSuperblock }, b: { array: string; superblock: MemberSuperblock }): string {
  if (a.superblock.events === b.superblock.events) return `both members present (events ${a.superblock.events})`;
  const [fresh, stale] = a.superblock.events > b.superblock.events ? [a, b] : [b, a];
  return `both members present; ${fresh.array} is fresher (events ${fresh.superblock.events} > ${stale.superblock.events}), mdadm brings ${stale.array} up to date from it`;
}
