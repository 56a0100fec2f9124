import type { CallContext, Clock, NodeInfo } from '@tandem/core';
import { iscsi, portalOf } from './argv.js';
import { parseIscsiRecord, type HostCommands } from './host-commands.js';
import { setRecordPassword, tpgtOf } from './iscsi-node-record.js';
import { initiatorIqnFor, type StorageArray, type VolumeOptions } from './options.js';
import { ISCSI_NO_OBJECTS, ISCSI_SESSION_EXISTS, parseIscsiSessions, type IscsiSession } from './parse-sessions.js';
import { done, stop, type Step } from './step.js';

const INITIATOR_FILE = '/etc/iscsi/initiatorname.iscsi';
/** A LUN's disk appears a moment after login, once the SCSI scan ran; poll for it this often, this long. */
const DISK_POLL_MS = 250;
const DISK_WAIT_MS = 10_000;

/**
 * The initiator side on one cluster node: an iscsiadm iface bound to the node's storage NIC, the node's
 * initiator name, and one session per storage host. Every step reads first and changes only what differs,
 * so running it again is quiet.
 */
export class IscsiInitiator {
  readonly iqn: string;

  constructor(
    private readonly options: VolumeOptions,
    private readonly node: NodeInfo,
    private readonly sh: HostCommands,
    private readonly clock: Clock,
    /** The CHAP password, or a placeholder when planning; undefined without CHAP. */
    private readonly chapPassword: () => string | undefined,
  ) {
    this.iqn = initiatorIqnFor(options.initiatorIqn, node.name);
  }

  /** Initiator name, iscsid, and the iface bound to the storage NIC. */
  async prepare(ctx: CallContext): Promise<Step<void>> {
    const nic = this.node.nics.storage;
    if (!nic) return stop('config-error', `node ${this.node.name} has no nics.storage; add the storage NIC to nodes.${this.node.name}.nics`);
    if (!nic.name) return stop('config-error', `nodes.${this.node.name}.nics.storage has no interface name; write it as { name: eth1, address: ${nic.address}/${nic.prefixLength} } so iSCSI can be bound to it`);
    const named = await this.ensureInitiatorFile(ctx);
    if (!named.ok) return named;
    const daemon = await this.ensureIscsid(ctx);
    if (!daemon.ok) return daemon;
    const shown = await this.sh.ask(ctx, 'iscsiadm', iscsi.showIface());
    if (!shown.ok) return shown;
    if (shown.value.exitCode !== 0) {
      const created = await this.sh.run(ctx, 'iscsiadm', iscsi.newIface());
      if (!created.ok) return created;
    }
    const record = shown.value.exitCode === 0 ? parseIscsiRecord(shown.value.stdout) : new Map<string, string>();
    // The iface's own initiator name wins over the file's, so a running iscsid need not be restarted.
    for (const [key, value] of [['iface.net_ifacename', nic.name], ['iface.initiatorname', this.iqn]] as const) {
      if (record.get(key) === value) continue;
      const set = await this.sh.run(ctx, 'iscsiadm', iscsi.setIface(key, value));
      if (!set.ok) return set;
    }
    return done(undefined);
  }

  private async ensureInitiatorFile(ctx: CallContext): Promise<Step<void>> {
    const current = await this.sh.ask(ctx, 'cat', [INITIATOR_FILE]);
    if (!current.ok) return current;
    const wanted = `InitiatorName=${this.iqn}`;
    if (current.value.exitCode === 0 && current.value.stdout.split('\n').some((l) => l.trim() === wanted)) return done(undefined);
    const written = await this.sh.run(ctx, 'tee', [INITIATOR_FILE], { input: `${wanted}\n` });
    return written.ok ? done(undefined) : written;
  }

  private async ensureIscsid(ctx: CallContext): Promise<Step<void>> {
    const running = await this.sh.ask(ctx, 'pidof', ['iscsid']);
    if (!running.ok) return running;
    if (running.value.exitCode === 0) return done(undefined);
    // Under systemd the unit owns the daemon; in a bare guest (no systemd as PID 1) start it directly.
    const systemd = await this.sh.ask(ctx, 'test', ['-d', '/run/systemd/system']);
    if (!systemd.ok) return systemd;
    const started = systemd.value.exitCode === 0 ? await this.sh.run(ctx, 'systemctl', ['start', 'iscsid.service']) : await this.sh.run(ctx, 'iscsid', []);
    return started.ok ? done(undefined) : started;
  }

  /** Current sessions; none is an empty list. */
  async sessions(ctx: CallContext): Promise<Step<IscsiSession[]>> {
    const listed = await this.sh.run(ctx, 'iscsiadm', iscsi.sessions(), { readOnly: true, accept: [ISCSI_NO_OBJECTS] });
    if (!listed.ok) return listed;
    return done(listed.value.exitCode === ISCSI_NO_OBJECTS ? [] : parseIscsiSessions(listed.value.stdout));
  }

  /** The session that carries this array's LUN, if any. */
  sessionOf(sessions: readonly IscsiSession[], array: StorageArray): IscsiSession | undefined {
    return sessions.find((s) => s.targetIqn === array.targetIqn && s.portal === portalOf(array));
  }

  /** Kernel disk name per array; only sessions that are logged in count (a failed one's disk does not answer). */
  disks(sessions: readonly IscsiSession[]): Map<string, string | undefined> {
    return new Map(
      this.options.arrays.map((a) => {
        const s = this.sessionOf(sessions, a);
        return [a.name, s && (s.sessionState === undefined || s.sessionState === 'LOGGED_IN') ? s.disks[0] : undefined];
      }),
    );
  }

  /** Discover, configure and log in to every array not logged in yet. One unreachable array is a note, not a failure. */
  async loginAll(ctx: CallContext): Promise<Step<{ readonly notes: string[] }>> {
    const before = await this.sessions(ctx);
    if (!before.ok) return before;
    const notes: string[] = [];
    for (const array of this.options.arrays) {
      if (this.sessionOf(before.value, array)) continue;
      const logged = await this.login(array, ctx);
      if (logged.ok) continue;
      if (logged.outcome.code === 'timeout' && ctx.signal.aborted) return logged;
      if (logged.outcome.code === 'not-installed' || logged.outcome.code === 'config-error') return logged;
      notes.push(`${array.name}: ${logged.outcome.reason}`);
    }
    return done({ notes });
  }

  private async login(array: StorageArray, ctx: CallContext): Promise<Step<void>> {
    const found = await this.sh.run(ctx, 'iscsiadm', iscsi.discover(array));
    if (!found.ok) return found;
    if (!found.value.stdout.split('\n').some((l) => l.trim().split(/\s+/)[1] === array.targetIqn)) {
      return stop('failed', `portal ${portalOf(array)} does not offer ${array.targetIqn}; run the storage host's script (tandem volume plan --array ${array.name}) and check its ACLs name ${this.iqn}`);
    }
    const record = await this.sh.ask(ctx, 'iscsiadm', iscsi.showNode(array));
    if (!record.ok) return record;
    const current = parseIscsiRecord(record.value.stdout);
    for (const [key, value] of this.nodeSettings()) {
      if (current.get(key) === value) continue;
      const set = await this.sh.run(ctx, 'iscsiadm', iscsi.setNode(array, key, value));
      if (!set.ok) return set;
    }
    const password = this.options.chap ? this.chapPassword() : undefined;
    if (password !== undefined) {
      const tpgt = tpgtOf(found.value.stdout, array) ?? current.get('node.tpgt');
      if (tpgt === undefined) return stop('failed', `discovery on ${portalOf(array)} gave no portal group for ${array.targetIqn}, so its node record (where the CHAP password goes) cannot be found`);
      const written = await setRecordPassword(this.sh, ctx, array, tpgt, password);
      if (!written.ok) return written;
    }
    const login = await this.sh.run(ctx, 'iscsiadm', iscsi.login(array), { accept: [ISCSI_SESSION_EXISTS] });
    return login.ok ? done(undefined) : login;
  }

  /**
   * Node-record settings: HA logs in, not boot; a lost array fails I/O soon so md can drop it and serve on.
   * The CHAP password is not among them: iscsiadm takes values on argv only, so it goes into the record file.
   */
  private nodeSettings(): [string, string][] {
    const settings: [string, string][] = [
      ['node.startup', 'manual'],
      ['node.session.timeo.replacement_timeout', String(this.options.replacementTimeoutS)],
    ];
    if (this.options.chap) settings.push(['node.session.auth.authmethod', 'CHAP'], ['node.session.auth.username', this.options.chap.user]);
    return settings;
  }

  /** Wait (bounded) until every logged-in array's disk is attached. */
  async waitForDisks(ctx: CallContext): Promise<Step<IscsiSession[]>> {
    const deadline = this.clock.monotonicMs() + Math.min(DISK_WAIT_MS, ctx.timeoutMs);
    for (;;) {
      const listed = await this.sessions(ctx);
      if (!listed.ok) return listed;
      const waiting = this.options.arrays.filter((a) => {
        const s = this.sessionOf(listed.value, a);
        return s !== undefined && s.disks.length === 0;
      });
      if (waiting.length === 0 || this.clock.monotonicMs() >= deadline) return done(listed.value);
      try {
        await this.clock.sleep(DISK_POLL_MS, ctx.signal);
      } catch {
        return stop('timeout', `waiting for the disks of ${waiting.map((a) => a.name).join(', ')}: abandoned (the caller's deadline passed)`);
      }
    }
  }

  /** Log out of every array; not being logged in is fine. */
  async logoutAll(ctx: CallContext): Promise<Step<void>> {
    for (const array of this.options.arrays) {
      const out = await this.sh.run(ctx, 'iscsiadm', iscsi.logout(array), { accept: [ISCSI_NO_OBJECTS] });
      if (!out.ok) return out;
    }
    return done(undefined);
  }
}
