import type { Clock, NodeInfo } from '@tandem/core';
import { ISCSI_IFACE, iscsi, parseDetail, parseExamine, parseIscsiSessions, parseMdstat, type StorageArray } from '@tandem/plugin-volume-iscsi-mirror';
import type { HostShell } from './host-shell.js';
import { fillNode, mdDeviceOf, type BlockMirrorOptions } from './options.js';
import { done, mdActive, mountState, refused, type Step } from './standby-side.js';

/** iscsiadm: nothing to list (ISCSI_ERR_NO_OBJS_FOUND), and a login to a session that exists (ISCSI_ERR_SESS_EXISTS). */
const NO_OBJECTS = 21;
const SESSION_EXISTS = 15;
const DISK_WAIT_MS = 10_000;
const INITIATOR_FILE = '/etc/iscsi/initiatorname.iscsi';
const DISK_POLL_MS = 250;

/** The mirror as the primary sees it. */
export interface MirrorState {
  readonly assembled: boolean;
  readonly mounted: 'no' | 'ro' | 'rw';
  /** Both members active and no resync or recovery running: every acknowledged write is on both disks. */
  readonly inSync: boolean;
  readonly members: readonly string[];
  readonly progress?: string;
}

/**
 * The primary's side: log in to the standby's LUN over the storage NIC,
 * assemble the RAID-1 of the local disk and the LUN (never creating one,
 * never --force), mount it read-write. A LUN member that md left out is
 * re-added with the bitmap, after `--remove failed|detached`.
 */
export class PrimarySide {
  constructor(
    private readonly options: BlockMirrorOptions,
    private readonly self: NodeInfo,
    private readonly clock: Clock,
  ) {}

  /** The standby's LUN as the volume plugin's argv builders take it. */
  lunOf(standby: NodeInfo): Step<StorageArray> {
    const address = standby.nics.storage?.address;
    if (address === undefined) return refused(`node ${standby.name} has no nics.storage address: the primary logs in to the standby's LUN there`, 'config-error');
    return done({ name: this.options.mdName, portal: address, port: this.options.port, targetIqn: fillNode(this.options.targetIqn, standby.name), device: this.options.localDevice });
  }

  async start(sh: HostShell, standby: NodeInfo): Promise<Step<string>> {
    const lun = this.lunOf(standby);
    if (!lun.ok) return lun;
    const iface = await this.prepareIface(sh);
    if (!iface.ok) return iface;
    const disk = await this.login(sh, lun.value);
    if (!disk.ok) return disk;
    const md = mdDeviceOf(this.options);
    const active = await mdActive(sh, this.options);
    if (!active.ok) return active;
    const notes: string[] = [];
    if (!active.value) {
      for (const dev of [this.options.localDevice, disk.value]) {
        const ex = await sh.run(['mdadm', '--examine', '--export', dev], { readOnly: true, accept: [1] });
        if (!ex.ok) return refused(`mdadm --examine ${dev}: ${ex.outcome.reason}`);
        const sb = parseExamine(ex.stdout, '');
        if (sb?.arrayUuid !== this.options.arrayUuid) return refused(`${dev} is not a member of ${this.options.arrayUuid} (${sb ? `it belongs to ${sb.arrayUuid}` : 'no md superblock'}); create the array first (README: "Setting up")`);
      }
      const asm = await sh.run(['mdadm', '--assemble', md, `--uuid=${this.options.arrayUuid}`, '--run', this.options.localDevice, disk.value]);
      if (!asm.ok) return refused(`assembling ${md}: ${asm.outcome.reason}`, asm.outcome.code === 'timeout' ? 'timeout' : 'failed');
    }
    const state = await this.state(sh);
    if (!state.ok) return state;
    if (!state.value.members.includes(disk.value)) {
      const readded = await this.reAdd(sh, disk.value);
      if (!readded.ok) return readded;
      notes.push(readded.value);
    }
    if (state.value.mounted === 'ro') return refused(`${this.options.mountPath} is mounted read-only: a takeover is in progress on this node; release it first`);
    if (state.value.mounted === 'no') {
      const mk = await sh.run(['mkdir', '-p', this.options.mountPath]);
      if (!mk.ok) return refused(`mkdir ${this.options.mountPath}: ${mk.outcome.reason}`);
      const m = await sh.run(['mount', '-t', this.options.fsType, md, this.options.mountPath]);
      if (!m.ok) return refused(`mounting ${md} on ${this.options.mountPath}: ${m.outcome.reason}`, m.outcome.code === 'timeout' ? 'timeout' : 'failed');
    }
    return done(`${md} (${this.options.localDevice} + ${disk.value} from ${standby.name}) mounted on ${this.options.mountPath}${notes.length ? `; ${notes.join('; ')}` : ''}`);
  }

  /** md and mount state, read only. */
  async state(sh: HostShell): Promise<Step<MirrorState>> {
    const active = await mdActive(sh, this.options);
    if (!active.ok) return active;
    const mounted = await mountState(sh, this.options.mountPath);
    if (!mounted.ok) return mounted;
    if (!active.value) return done({ assembled: false, mounted: mounted.value, inSync: false, members: [] });
    const detail = await sh.run(['mdadm', '--detail', '--export', mdDeviceOf(this.options)], { readOnly: true });
    if (!detail.ok) return refused(`mdadm --detail: ${detail.outcome.reason}`);
    const stat = await sh.run(['cat', '/proc/mdstat'], { readOnly: true });
    if (!stat.ok) return refused(`/proc/mdstat: ${stat.outcome.reason}`);
    const d = parseDetail(detail.stdout);
    const activeMembers = d.members.filter((m) => typeof m.role === 'number');
    const arrays = parseMdstat(stat.stdout);
    // /proc/mdstat names the kernel device (md127); with one Tandem array per host, the one holding our members is ours.
    const ours = arrays.find((a) => a.members.some((m) => activeMembers.some((x) => x.device === `/dev/${m.device}`)));
    const progress = ours?.progress ? `${ours.progress.action} ${ours.progress.percent}%` : ours?.pending ? 'resync pending' : undefined;
    const inSync = activeMembers.length === 2 && d.raidDevices === 2 && progress === undefined && ours?.slotMap === 'UU';
    return done({ assembled: true, mounted: mounted.value, inSync, members: activeMembers.map((m) => m.device), ...(progress ? { progress } : {}) });
  }

  /** Unmount (PostgreSQL must be stopped first: a busy mount fails, and says so), stop the array, log out. */
  async stop(sh: HostShell, standby: NodeInfo | undefined): Promise<Step<string>> {
    const mounted = await mountState(sh, this.options.mountPath);
    if (!mounted.ok) return mounted;
    if (mounted.value !== 'no') {
      const u = await sh.run(['umount', this.options.mountPath]);
      if (!u.ok) return refused(`umount ${this.options.mountPath} (is PostgreSQL still running on it?): ${u.outcome.reason}`);
    }
    const active = await mdActive(sh, this.options);
    if (!active.ok) return active;
    if (active.value) {
      const s = await sh.run(['mdadm', '--stop', mdDeviceOf(this.options)]);
      if (!s.ok) return refused(`mdadm --stop: ${s.outcome.reason}`);
    }
    const lun = standby === undefined ? undefined : this.lunOf(standby);
    if (lun?.ok) {
      const session = await this.hasSession(sh, lun.value);
      if (!session.ok) return session;
      // Only a session is logged out: on a node that never logged in, the iface the logout names may not exist yet (iscsiadm exits 3).
      if (session.value) {
        const out = await sh.run(['iscsiadm', ...iscsi.logout(lun.value)], { accept: [NO_OBJECTS] });
        if (!out.ok) return refused(`iscsiadm logout: ${out.outcome.reason}`);
      }
    }
    return done('mirror stopped on the primary');
  }

  private async hasSession(sh: HostShell, lun: StorageArray): Promise<Step<boolean>> {
    const r = await sh.run(['iscsiadm', ...iscsi.sessions()], { readOnly: true, accept: [NO_OBJECTS] });
    if (!r.ok) return refused(`iscsiadm -m session: ${r.outcome.reason}`, r.outcome.code === 'not-installed' ? 'not-installed' : 'failed');
    return done(parseIscsiSessions(r.stdout).some((x) => x.targetIqn === lun.targetIqn && x.portal === `${lun.portal}:${lun.port}`));
  }

  private async prepareIface(sh: HostShell): Promise<Step<void>> {
    const nic = this.self.nics.storage;
    if (!nic?.name) return refused(`nodes.${this.self.name}.nics.storage needs an interface name: iSCSI is bound to it`, 'config-error');
    // iscsid reads the node's initiator name from this file when it starts; the iface's own name (below) wins for logins.
    const iqn = fillNode(this.options.initiatorIqn, this.self.name);
    const file = await sh.run(['cat', INITIATOR_FILE], { readOnly: true, accept: [1] });
    if (!file.ok) return refused(`reading ${INITIATOR_FILE}: ${file.outcome.reason}`);
    if (!file.stdout.split('\n').some((l) => l.trim() === `InitiatorName=${iqn}`)) {
      const written = await sh.run(['tee', INITIATOR_FILE], { input: `InitiatorName=${iqn}\n` });
      if (!written.ok) return refused(`writing ${INITIATOR_FILE}: ${written.outcome.reason}`);
    }
    const running = await sh.run(['pidof', 'iscsid'], { readOnly: true, accept: [1] });
    if (!running.ok) return refused(`pidof iscsid: ${running.outcome.reason}`);
    if (running.exitCode !== 0) {
      const systemd = await sh.run(['test', '-d', '/run/systemd/system'], { readOnly: true, accept: [1] });
      if (!systemd.ok) return refused(systemd.outcome.reason);
      const started = await sh.run(systemd.exitCode === 0 ? ['systemctl', 'start', 'iscsid.service'] : ['iscsid']);
      if (!started.ok) return refused(`starting iscsid: ${started.outcome.reason}`, started.outcome.code === 'not-installed' ? 'not-installed' : 'failed');
    }
    const shown = await sh.run(['iscsiadm', ...iscsi.showIface()], { readOnly: true, accept: [NO_OBJECTS, 2, 6] });
    if (!shown.ok) return refused(`iscsiadm iface: ${shown.outcome.reason}`, shown.outcome.code === 'not-installed' ? 'not-installed' : 'failed');
    if (shown.exitCode !== 0) {
      const made = await sh.run(['iscsiadm', ...iscsi.newIface()]);
      if (!made.ok) return refused(`creating iface ${ISCSI_IFACE}: ${made.outcome.reason}`);
    }
    for (const [key, value] of [['iface.net_ifacename', nic.name], ['iface.initiatorname', iqn]] as const) {
      if (shown.exitCode === 0 && new RegExp(`^${key.replace('.', '\\.')} = ${value}$`, 'm').test(shown.stdout)) continue;
      const set = await sh.run(['iscsiadm', ...iscsi.setIface(key, value)]);
      if (!set.ok) return refused(`iscsiadm iface ${key}: ${set.outcome.reason}`);
    }
    return done(undefined);
  }

  /** Log in (if not yet) and return the LUN's disk (/dev/sdX): the name changes across logins, so it is read from the session. */
  private async login(sh: HostShell, lun: StorageArray): Promise<Step<string>> {
    let disk = await this.diskOf(sh, lun);
    if (!disk.ok) return disk;
    if (disk.value === undefined) {
      const found = await sh.run(['iscsiadm', ...iscsi.discover(lun)]);
      if (!found.ok) return refused(`discovering ${lun.portal}:${lun.port}: ${found.outcome.reason}`, found.outcome.code === 'timeout' ? 'timeout' : 'failed');
      if (!found.stdout.split('\n').some((l) => l.trim().split(/\s+/)[1] === lun.targetIqn)) return refused(`${lun.portal}:${lun.port} does not offer ${lun.targetIqn}: is the standby exporting (its transport started)?`);
      for (const [key, value] of [['node.startup', 'manual'], ['node.session.timeo.replacement_timeout', String(this.options.replacementTimeoutS)]] as const) {
        const set = await sh.run(['iscsiadm', ...iscsi.setNode(lun, key, value)]);
        if (!set.ok) return refused(`iscsiadm node ${key}: ${set.outcome.reason}`);
      }
      const login = await sh.run(['iscsiadm', ...iscsi.login(lun)], { accept: [SESSION_EXISTS] });
      if (!login.ok) return refused(`logging in to ${lun.targetIqn}: ${login.outcome.reason}`, login.outcome.code === 'timeout' ? 'timeout' : 'failed');
      const until = this.clock.monotonicMs() + Math.min(DISK_WAIT_MS, sh.deadline.remainingMs());
      for (;;) {
        disk = await this.diskOf(sh, lun);
        if (!disk.ok || disk.value !== undefined || this.clock.monotonicMs() >= until) break;
        await this.clock.sleep(DISK_POLL_MS, sh.deadline.signal).catch(() => undefined);
      }
      if (!disk.ok) return disk;
      if (disk.value === undefined) return refused(`logged in to ${lun.targetIqn} but no disk appeared within ${DISK_WAIT_MS} ms`);
    }
    return done(disk.value);
  }

  private async diskOf(sh: HostShell, lun: StorageArray): Promise<Step<string | undefined>> {
    const r = await sh.run(['iscsiadm', ...iscsi.sessions()], { readOnly: true, accept: [NO_OBJECTS] });
    if (!r.ok) return refused(`iscsiadm -m session: ${r.outcome.reason}`, r.outcome.code === 'not-installed' ? 'not-installed' : 'failed');
    const s = parseIscsiSessions(r.stdout).find((x) => x.targetIqn === lun.targetIqn && x.portal === `${lun.portal}:${lun.port}`);
    const name = s && (s.sessionState === undefined || s.sessionState === 'LOGGED_IN') ? s.disks[0] : undefined;
    return done(name === undefined ? undefined : `/dev/${name}`);
  }

  /** md marked the LUN faulty (or it vanished): drop the dead slot, then re-add the LUN's current disk; the bitmap limits the resync. */
  private async reAdd(sh: HostShell, disk: string): Promise<Step<string>> {
    const md = mdDeviceOf(this.options);
    for (const which of ['failed', 'detached']) {
      const r = await sh.run(['mdadm', md, '--remove', which], { accept: [1] });
      if (!r.ok) return refused(`mdadm --remove ${which}: ${r.outcome.reason}`);
    }
    const re = await sh.run(['mdadm', md, '--re-add', disk], { accept: [1] });
    if (!re.ok) return refused(`mdadm --re-add ${disk}: ${re.outcome.reason}`);
    if (re.exitCode === 0) return done(`${disk} re-added (bitmap resync)`);
    // Too stale for the bitmap (or no bitmap): a full copy, from the primary's member, never the other way.
    const add = await sh.run(['mdadm', md, '--add', disk]);
    return add.ok ? done(`${disk} added back (full resync from ${this.options.localDevice})`) : refused(`mdadm --add ${disk}: ${add.outcome.reason}`);
  }
}
