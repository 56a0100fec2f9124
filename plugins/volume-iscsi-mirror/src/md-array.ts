import type { CallContext } from '@tandem/core';
import { mdadm } from './argv.js';
import type { HostCommands } from './host-commands.js';
import { mdDevice, type VolumeOptions } from './options.js';
import { parseDetail, parseExamine, type MemberSuperblock } from './parse-mdadm.js';
import { parseMdstat } from './parse-mdstat.js';
import { done, stop, type Step } from './step.js';
import { volumeStatus, type VolumeStatus } from './volume-status.js';

/** The md RAID-1 on this node: read its state, examine members, assemble, re-add, stop; mount it when configured. */
export class MdArray {
  readonly device: string;

  constructor(
    private readonly options: VolumeOptions,
    private readonly sh: HostCommands,
  ) {
    this.device = mdDevice(options);
  }

  /** The array's state as this node sees it, given each array's disk (from the iSCSI sessions). */
  async status(ctx: CallContext, disks: ReadonlyMap<string, string | undefined>): Promise<Step<VolumeStatus>> {
    const mdstatText = await this.sh.ask(ctx, 'cat', ['/proc/mdstat']);
    if (!mdstatText.ok) return mdstatText;
    // No /proc/mdstat: the md driver is not loaded, so no array runs here (mdadm loads it on assemble).
    const arrays = mdstatText.value.exitCode === 0 ? parseMdstat(mdstatText.value.stdout) : [];
    const link = await this.sh.ask(ctx, 'readlink', ['-f', this.device]);
    if (!link.ok) return link;
    const linked = /^\/dev\/(md\d+)$/.exec(link.value.stdout.trim())?.[1];
    // Without udev the /dev/md/<name> link may be missing; an md array holding one of our disks is ours.
    const ours = new Set([...disks.values()].filter((d): d is string => d !== undefined));
    const entry = arrays.find((a) => a.name === linked) ?? arrays.find((a) => a.members.some((m) => ours.has(m.device)));
    let detail;
    if (entry?.active) {
      const shown = await this.sh.run(ctx, 'mdadm', mdadm.detailExport(`/dev/${entry.name}`), { readOnly: true });
      if (!shown.ok) return shown;
      detail = parseDetail(shown.value.stdout);
      if (detail.arrayUuid !== undefined && detail.arrayUuid !== this.options.arrayUuid) {
        return stop('config-error', `/dev/${entry.name} holds this node's disks but is md array ${detail.arrayUuid}, not the configured ${this.options.arrayUuid}; stop it by hand after checking what it is`);
      }
    }
    return done(
      volumeStatus({
        device: this.device,
        arrays: this.options.arrays.map((a) => a.name),
        disks,
        kernelName: entry?.name,
        mdstat: entry,
        detail,
      }),
    );
  }

  /** The md superblock on a disk; `none` when it has none. */
  async examine(ctx: CallContext, device: string): Promise<Step<MemberSuperblock | 'none'>> {
    const exported = await this.sh.ask(ctx, 'mdadm', mdadm.examineExport(device));
    if (!exported.ok) return exported;
    if (exported.value.exitCode !== 0) {
      if (/No md superblock/i.test(exported.value.stderr + exported.value.stdout)) return done('none');
      return stop('failed', `mdadm --examine ${device} exited ${exported.value.exitCode}: ${(exported.value.stderr || exported.value.stdout).trim().slice(0, 200)}`);
    }
    const plain = await this.sh.run(ctx, 'mdadm', mdadm.examine(device), { readOnly: true });
    if (!plain.ok) return plain;
    const sb = parseExamine(exported.value.stdout, plain.value.stdout);
    return done(sb ?? 'none');
  }

  async assemble(ctx: CallContext, devices: readonly string[]): Promise<Step<void>> {
    const r = await this.sh.run(ctx, 'mdadm', mdadm.assemble(this.device, this.options.arrayUuid, devices));
    return r.ok ? done(undefined) : r;
  }

  async create(ctx: CallContext, devices: readonly string[]): Promise<Step<void>> {
    const r = await this.sh.run(ctx, 'mdadm', mdadm.create(this.device, this.options.arrayUuid, this.options.mdName, devices));
    if (!r.ok) return r;
    const mount = this.options.mount;
    if (!mount) return done(undefined);
    // The array was created one command ago, so nothing on it is data: force past old signatures.
    const mkfs = mount.fsType === 'xfs' ? ['mkfs.xfs', '-q', '-f', this.device] : ['mkfs.ext4', '-q', '-F', this.device];
    const made = await this.sh.run(ctx, mkfs[0]!, mkfs.slice(1));
    return made.ok ? done(undefined) : made;
  }

  /**
   * Bring a returned member back: a member md marked faulty is removed first; then --re-add, which with the
   * bitmap copies only what changed while it was away; --add (a full copy) only when --re-add is refused.
   * Either way the running array's data wins: the returning member is the one overwritten.
   */
  async bringBack(ctx: CallContext, disk: string, faultyInArray: boolean): Promise<Step<'re-added' | 'added'>> {
    if (faultyInArray) {
      const removed = await this.sh.run(ctx, 'mdadm', mdadm.remove(this.device, disk));
      if (!removed.ok) return removed;
    }
    const reAdded = await this.sh.run(ctx, 'mdadm', mdadm.reAdd(this.device, disk));
    if (reAdded.ok) return done('re-added');
    if (reAdded.outcome.code !== 'failed') return reAdded;
    const added = await this.sh.run(ctx, 'mdadm', mdadm.add(this.device, disk));
    return added.ok ? done('added') : added;
  }

  async stopArray(ctx: CallContext, kernelName: string): Promise<Step<void>> {
    const r = await this.sh.run(ctx, 'mdadm', mdadm.stop(`/dev/${kernelName}`));
    return r.ok ? done(undefined) : r;
  }

  /** Whether the configured mount point is mounted (from /proc/mounts). */
  async mounted(ctx: CallContext): Promise<Step<boolean>> {
    const path = this.options.mount?.path;
    if (!path) return done(false);
    const mounts = await this.sh.run(ctx, 'cat', ['/proc/mounts'], { readOnly: true });
    if (!mounts.ok) return mounts;
    return done(mounts.value.stdout.split('\n').some((l) => l.split(' ')[1] === path));
  }

  async mount(ctx: CallContext): Promise<Step<void>> {
    const m = this.options.mount;
    if (!m) return done(undefined);
    const dir = await this.sh.run(ctx, 'mkdir', ['-p', m.path]);
    if (!dir.ok) return dir;
    const r = await this.sh.run(ctx, 'mount', ['-t', m.fsType, ...(m.options ? ['-o', m.options] : []), this.device, m.path]);
    return r.ok ? done(undefined) : r;
  }

  async umount(ctx: CallContext): Promise<Step<void>> {
    const m = this.options.mount;
    if (!m) return done(undefined);
    const r = await this.sh.run(ctx, 'umount', [m.path]);
    if (r.ok) return done(undefined);
    return stop(r.outcome.code, `${r.outcome.reason}; something still uses ${m.path} (see \`fuser -vm ${m.path}\`), so the array was not stopped`);
  }
}
