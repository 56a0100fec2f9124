import { parseDetail, parseExamine, storageHostScript } from '@tandem/plugin-volume-iscsi-mirror';
import type { NodeInfo } from '@tandem/core';
import type { HostShell } from './host-shell.js';
import { backstoreOf, fillNode, mdDeviceOf, type BlockMirrorOptions } from './options.js';

export type Step<T = void> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: 'failed' | 'timeout' | 'config-error' | 'not-installed'; readonly why: string };
export const done = <T>(value: T): Step<T> => ({ ok: true, value });
export const refused = <T>(why: string, code: 'failed' | 'timeout' | 'config-error' | 'not-installed' = 'failed'): Step<T> => ({ ok: false, code, why });
const failedRun = <T>(what: string, r: { outcome: { code: string; reason: string } }): Step<T> =>
  refused(`${what}: ${r.outcome.reason}`, r.outcome.code === 'timeout' ? 'timeout' : r.outcome.code === 'not-installed' ? 'not-installed' : 'failed');

/** targetcli under TCG costs seconds per call; the export script makes about a dozen. */
const SCRIPT_TIMEOUT_MS = 240_000;

/** What the standby's side looks like right now, read without changing anything. */
export interface StandbyView {
  /** LIO exports localDevice (the backstore exists). */
  readonly exported: boolean;
  /** The array is assembled here. */
  readonly assembled: boolean;
  /** ...and read-only (a takeover), from `blockdev --getro`. */
  readonly readOnly: boolean;
  /** mountPath is mounted, and how. */
  readonly mounted: 'no' | 'ro' | 'rw';
}

/**
 * The standby's side of the mirror: export the local disk as a LUN to the
 * primary's initiator (start), stop exporting it (stop, and the first step
 * of a takeover), and take the member over read-only after the primary died
 * and was fenced.
 */
export class StandbySide {
  constructor(
    private readonly options: BlockMirrorOptions,
    private readonly self: NodeInfo,
    private readonly peers: readonly NodeInfo[],
  ) {}

  get targetIqn(): string {
    return fillNode(this.options.targetIqn, this.self.name);
  }

  async view(sh: HostShell): Promise<Step<StandbyView>> {
    const bs = await sh.run(['find', '/sys/kernel/config/target/core', '-mindepth', '2', '-maxdepth', '2', '-name', backstoreOf(this.options)], { readOnly: true, accept: [1] });
    if (!bs.ok) return failedRun('reading LIO configfs', bs);
    const md = await mdActive(sh, this.options);
    if (!md.ok) return md;
    const mount = await mountState(sh, this.options.mountPath);
    if (!mount.ok) return mount;
    let readOnly = false;
    if (md.value) {
      const ro = await sh.run(['blockdev', '--getro', mdDeviceOf(this.options)], { readOnly: true });
      if (!ro.ok) return failedRun('blockdev --getro', ro);
      readOnly = ro.stdout.trim() === '1';
    }
    return done({ exported: bs.exitCode === 0 && bs.stdout.trim() !== '', assembled: md.value, readOnly, mounted: mount.value });
  }

  /** Export localDevice to every other node's initiator, on this node's storage address only. Idempotent (the script checks each object). */
  async export(sh: HostShell): Promise<Step<string>> {
    const nic = this.self.nics.storage;
    if (!nic) return refused(`node ${this.self.name} has no nics.storage: the LUN's portal listens on the storage address only; add it to nodes.${this.self.name}.nics`, 'config-error');
    const v = await this.view(sh);
    if (!v.ok) return v;
    if (v.value.assembled || v.value.mounted !== 'no') return refused(`${mdDeviceOf(this.options)} is assembled or ${this.options.mountPath} mounted here: a node that took the mirror over does not export it again until it is released (stop)`);
    if (v.value.exported) return done(`${this.options.localDevice} already exported as ${this.targetIqn}`);
    const script = storageHostScript({
      array: { name: this.options.mdName, portal: nic.address, port: this.options.port, targetIqn: this.targetIqn, device: this.options.localDevice },
      initiators: this.peers.map((p) => fillNode(this.options.initiatorIqn, p.name)),
      mdDevice: `${mdDeviceOf(this.options)} on the primary`,
    });
    const r = await sh.run(['sh', '-s'], { input: script, timeoutMs: SCRIPT_TIMEOUT_MS });
    if (!r.ok) return failedRun(`exporting ${this.options.localDevice} with targetcli`, r);
    return done(`${this.options.localDevice} exported as ${this.targetIqn} on ${nic.address}:${this.options.port}`);
  }

  /**
   * Stop exporting: delete the backstore (its LUN goes with it) in one
   * targetcli session and save, so a reboot does not export it again. After
   * this the old primary's I/O to the LUN fails: it cannot write the
   * standby's copy any more.
   */
  async unexport(sh: HostShell): Promise<Step<string>> {
    const v = await this.view(sh);
    if (!v.ok) return v;
    if (!v.value.exported) return done('not exported');
    const r = await sh.run(['targetcli'], { input: `/backstores/block delete ${backstoreOf(this.options)}\nsaveconfig\nexit\n`, timeoutMs: SCRIPT_TIMEOUT_MS });
    if (!r.ok) return failedRun('deleting the LIO backstore', r);
    const after = await this.view(sh);
    if (!after.ok) return after;
    if (after.value.exported) return refused(`targetcli answered but the backstore ${backstoreOf(this.options)} is still there: ${(r.stdout + r.stderr).slice(-300)}`);
    return done(`stopped exporting ${this.options.localDevice}`);
  }

  /**
   * Take the local member over, read-only: stop exporting, check the
   * member's superblock names this array, assemble it degraded and
   * read-only (never --force: a member mdadm will not start is not used),
   * mount it read-only. A filesystem that needs journal recovery does not
   * mount on a read-only device, and no option here skips the journal:
   * metadata an fsync made durable lives there.
   */
  async takeOver(sh: HostShell): Promise<Step<string>> {
    const unexported = await this.unexport(sh);
    if (!unexported.ok) return unexported;
    const md = mdDeviceOf(this.options);
    const active = await mdActive(sh, this.options);
    if (!active.ok) return active;
    if (!active.value) {
      const ex = await sh.run(['mdadm', '--examine', '--export', this.options.localDevice], { readOnly: true, accept: [1] });
      const plain = await sh.run(['mdadm', '--examine', this.options.localDevice], { readOnly: true, accept: [1] });
      if (!ex.ok) return failedRun(`mdadm --examine ${this.options.localDevice}`, ex);
      if (!plain.ok) return failedRun(`mdadm --examine ${this.options.localDevice}`, plain);
      const sb = parseExamine(ex.stdout, plain.stdout);
      if (sb === undefined) return refused(`${this.options.localDevice} has no md superblock: it was never a member of ${this.options.arrayUuid}`);
      if (sb.arrayUuid !== this.options.arrayUuid) return refused(`${this.options.localDevice} belongs to array ${sb.arrayUuid}, not ${this.options.arrayUuid}: not touching it`);
      const asm = await sh.run(['mdadm', '--assemble', md, '--readonly', `--uuid=${this.options.arrayUuid}`, '--run', this.options.localDevice]);
      if (!asm.ok) return failedRun(`assembling ${md} read-only from ${this.options.localDevice}`, asm);
    }
    const detail = await sh.run(['mdadm', '--detail', '--export', md], { readOnly: true });
    if (!detail.ok) return failedRun(`mdadm --detail ${md}`, detail);
    const d = parseDetail(detail.stdout);
    if (d.arrayUuid !== this.options.arrayUuid) return refused(`${md} is array ${d.arrayUuid ?? '(unknown)'}, not ${this.options.arrayUuid}`);
    const mounted = await mountState(sh, this.options.mountPath);
    if (!mounted.ok) return mounted;
    if (mounted.value === 'rw') return refused(`${this.options.mountPath} is mounted read-write here: this node is the mirror's primary, not a standby taking over`);
    if (mounted.value === 'no') {
      const mk = await sh.run(['mkdir', '-p', this.options.mountPath]);
      if (!mk.ok) return failedRun(`mkdir ${this.options.mountPath}`, mk);
      const m = await sh.run(['mount', '-t', this.options.fsType, '-o', 'ro', md, this.options.mountPath]);
      if (!m.ok) return failedRun(`mounting ${md} read-only on ${this.options.mountPath} (a filesystem that needs journal recovery cannot be read from a read-only member; see the README)`, m);
    }
    return done(`${md} assembled read-only from ${this.options.localDevice} and mounted read-only on ${this.options.mountPath}`);
  }

  /** Undo a takeover: unmount and stop the read-only array (the disk can then be exported again). */
  async release(sh: HostShell): Promise<Step<string>> {
    const mounted = await mountState(sh, this.options.mountPath);
    if (!mounted.ok) return mounted;
    if (mounted.value === 'rw') return refused(`${this.options.mountPath} is mounted read-write: this node serves the array, not a standby's copy`);
    if (mounted.value === 'ro') {
      const u = await sh.run(['umount', this.options.mountPath]);
      if (!u.ok) return failedRun(`umount ${this.options.mountPath}`, u);
    }
    const active = await mdActive(sh, this.options);
    if (!active.ok) return active;
    if (active.value) {
      const s = await sh.run(['mdadm', '--stop', mdDeviceOf(this.options)]);
      if (!s.ok) return failedRun(`mdadm --stop ${mdDeviceOf(this.options)}`, s);
    }
    return done('released');
  }
}

/** Whether the array is assembled on this host (mdadm --detail exits 1 when it is not). */
export async function mdActive(sh: HostShell, o: BlockMirrorOptions): Promise<Step<boolean>> {
  const r = await sh.run(['mdadm', '--detail', '--export', mdDeviceOf(o)], { readOnly: true, accept: [1] });
  if (!r.ok) return failedRun('mdadm --detail', r);
  return done(r.exitCode === 0 && /^MD_UUID=/m.test(r.stdout));
}

/** How mountPath is mounted, from findmnt (exit 1: not a mount point). */
export async function mountState(sh: HostShell, path: string): Promise<Step<'no' | 'ro' | 'rw'>> {
  const r = await sh.run(['findmnt', '-n', '-o', 'OPTIONS', '--mountpoint', path], { readOnly: true, accept: [1] });
  if (!r.ok) return failedRun(`findmnt ${path}`, r);
  if (r.exitCode !== 0 || r.stdout.trim() === '') return done('no');
  return done(r.stdout.trim().split(',')[0] === 'ro' ? 'ro' : 'rw');
}
