import { revealText, type CommandResult, type CommandSpec } from '@tandem/core';
import { NODE_DIR, nodeRecordPath, WRITE_PRIVATE } from './iscsi-node-record.js';
import { ISCSI_IFACE, type VolumeOptions } from './options.js';

/** What one LUN looks like to the fake initiator. */
export interface FakeLun {
  /** Whether its storage host answers (discovery, login, I/O). */
  reachable: boolean;
  readonly disk: string;
  /** The md superblock on it, or undefined for a blank LUN. */
  superblock: { uuid: string; events: number; role: number; arrayState: string } | undefined;
}

export type FakeMemberState = 'in-sync' | 'faulty' | 'rebuilding';

/**
 * A simulated node for the plugin: iscsiadm sessions to two storage hosts, md superblocks on their LUNs,
 * one md array and a mount, answering the exact argv the plugin runs. `volume plan` runs the plugin
 * against a fresh one of these (nothing set up yet) through the DryRunCommandRunner, and the unit tests
 * use it with faults. Its outputs follow what mdadm 4.2, open-iscsi 2.1.8 and the kernel printed in the
 * VM lab (testing/tool-samples.ts), trimmed to the lines the plugin reads.
 */
export class FakeMirrorHost {
  readonly luns = new Map<string, FakeLun>();
  /** While a storage host is down its session waits to reconnect: open-iscsi shows it as FREE (seen in the VM lab). */
  readonly sessions = new Map<string, 'LOGGED_IN' | 'FREE'>();
  readonly ifaceRecord = new Map<string, string>();
  ifaceExists = false;
  initiatorFile: string | undefined;
  iscsidRunning = false;
  md: { kernelName: string; members: Map<string, FakeMemberState>; recoveryPercent?: number } | undefined;
  mounted = false;
  /** `--re-add` is refused (no bitmap, or the member is too stale); `--add` must follow. */
  refuseReAdd = false;
  /** open-iscsi's node record files (discovery creates them; the plugin writes the CHAP password into them). */
  readonly nodeFiles = new Map<string, string>();
  /** Writing a node record fails (a read-only /etc). */
  refuseRecordWrite = false;
  /** When set, a login never answers until the caller aborts (the conformance suite's slow target). */
  hangLogin = false;
  readonly recorded: CommandSpec[] = [];
  inFlight = 0;

  constructor(private readonly options: VolumeOptions, disks: readonly string[] = options.arrays.map((a) => `<${a.name}-disk>`)) {
    options.arrays.forEach((a, i) => this.luns.set(a.name, { reachable: true, disk: disks[i] ?? `sd${String.fromCharCode(98 + i)}`, superblock: undefined }));
  }

  /** Give both LUNs superblocks of an array created earlier, in sync. */
  withCreatedArray(events = 100): this {
    this.options.arrays.forEach((a, i) => {
      this.luns.get(a.name)!.superblock = { uuid: this.options.arrayUuid, events, role: i, arrayState: 'AA' };
    });
    return this;
  }

  lines(): string[] {
    return this.recorded.map((s) => [s.file, ...s.args].join(' '));
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    if (!(spec.timeoutMs > 0)) throw new RangeError(`command ${spec.file}: timeoutMs must be > 0`);
    this.recorded.push(spec);
    if (spec.signal?.aborted) return { kind: 'aborted', durationMs: 0 };
    if (this.hangLogin && spec.args.includes('--login')) return this.hang(spec);
    return this.answer(spec);
  }

  async which(file: string): Promise<string | undefined> {
    return `/usr/bin/${file}`;
  }

  /** The responder form, for a DryRunCommandRunner. */
  readonly responder = (spec: CommandSpec): CommandResult => this.answer(spec);

  answer(spec: CommandSpec): CommandResult {
    const a = spec.args.map(revealText);
    switch (spec.file) {
      case 'cat':
        if (a[0]?.startsWith(`${NODE_DIR}/`)) {
          const record = this.nodeFiles.get(a[0]);
          return record === undefined ? exit(1, '', `cat: ${a[0]}: No such file or directory`) : ok(record);
        }
        if (a[0] === '/proc/mdstat') return ok(this.mdstat());
        if (a[0] === '/proc/mounts') return ok(this.mounted ? `/dev/${this.md?.kernelName ?? 'md127'} ${this.options.mount?.path ?? '/mnt'} ext4 rw 0 0\n` : '');
        return this.initiatorFile === undefined ? exit(1, '', `cat: ${a[0]}: No such file or directory`) : ok(this.initiatorFile);
      case 'tee':
        this.initiatorFile = spec.input === undefined ? '' : revealText(spec.input);
        return ok(this.initiatorFile);
      case 'sh':
        // `sh -c WRITE_PRIVATE name <file>`: stdin into <file>. Other scripts (`sh -s`, a storage host's) just succeed.
        if (a[0] !== '-c') return ok('');
        if (a[1] !== WRITE_PRIVATE || a.length !== 4) return exit(2, '', `sh: unexpected script ${JSON.stringify(a)}`);
        if (this.refuseRecordWrite) return exit(2, '', `tandem-write-private: 1: cannot create ${a[3]!}: Read-only file system`);
        this.nodeFiles.set(a[3]!, spec.input === undefined ? '' : revealText(spec.input));
        return ok('');
      case 'mv': {
        const moved = this.nodeFiles.get(a[1]!);
        if (moved === undefined) return exit(1, '', `mv: cannot stat '${a[1]!}': No such file or directory`);
        this.nodeFiles.delete(a[1]!);
        this.nodeFiles.set(a[2]!, moved);
        return ok('');
      }
      case 'pidof':
        return this.iscsidRunning ? ok('412\n') : exit(1);
      case 'test':
        return ok('');
      case 'systemctl':
      case 'iscsid':
        this.iscsidRunning = true;
        return ok('');
      case 'readlink':
        return ok(this.md ? `/dev/${this.md.kernelName}\n` : `${a[1]}\n`);
      case 'iscsiadm':
        return this.iscsiadm(a);
      case 'mdadm':
        return this.mdadm(a);
      case 'mount':
        this.mounted = this.md !== undefined;
        return this.mounted ? ok('') : exit(32, '', `mount: ${a.at(-1)}: special device ${a.at(-2)} does not exist.`);
      case 'umount':
        this.mounted = false;
        return ok('');
      default:
        return ok('');
    }
  }

  private arrayOf(args: readonly string[]): string | undefined {
    const t = args[args.indexOf('-T') + 1];
    return this.options.arrays.find((x) => x.targetIqn === t)?.name;
  }

  private iscsiadm(a: readonly string[]): CommandResult {
    const mode = a[1];
    if (mode === 'iface') {
      if (a.includes('new')) {
        this.ifaceExists = true;
        return ok(`New interface ${ISCSI_IFACE} added`);
      }
      if (a.includes('update')) {
        this.ifaceRecord.set(a[a.indexOf('-n') + 1]!, a[a.indexOf('-v') + 1]!);
        return ok(`${ISCSI_IFACE} updated.`);
      }
      if (!this.ifaceExists) return exit(21, '', `iscsiadm: Could not read iface ${ISCSI_IFACE} (6)`);
      return ok(`# BEGIN RECORD 2.1.8\niface.iscsi_ifacename = ${ISCSI_IFACE}\n${[...this.ifaceRecord].map(([k, v]) => `${k} = ${v}`).join('\n')}\n# END RECORD\n`);
    }
    if (mode === 'discovery') {
      const portal = a[a.indexOf('-p') + 1]!;
      const array = this.options.arrays.find((x) => `${x.portal}:${x.port}` === portal);
      if (!array || !this.luns.get(array.name)?.reachable) return exit(4, '', `iscsiadm: cannot make connection to ${portal.split(':')[0]!}: No route to host`);
      const path = nodeRecordPath(array, '1');
      if (!this.nodeFiles.has(path)) this.nodeFiles.set(path, `# BEGIN RECORD 2.1.8\nnode.name = ${array.targetIqn}\nnode.tpgt = 1\nnode.startup = automatic\nnode.session.auth.authmethod = None\n# END RECORD\n`);
      return ok(`${portal},1 ${array.targetIqn}\n`);
    }
    if (mode === 'session') {
      if (this.sessions.size === 0) return exit(21, '', 'iscsiadm: No active sessions.');
      return ok(this.sessionListing());
    }
    const name = this.arrayOf(a);
    if (name === undefined) return exit(21, '', 'iscsiadm: No records found');
    if (a.includes('--login')) {
      if (this.sessions.has(name)) return exit(15, '', 'iscsiadm: default: 1 session requested, but 1 already present.');
      if (!this.luns.get(name)!.reachable) return exit(8, '', 'iscsiadm: Could not login to [iface: tandem-storage]: connection timed out');
      this.sessions.set(name, 'LOGGED_IN');
      return ok(`Login to [iface: ${ISCSI_IFACE}, target: ..., portal: ...] successful.`);
    }
    if (a.includes('--logout')) {
      if (!this.sessions.delete(name)) return exit(21, '', 'iscsiadm: No matching sessions found');
      return ok('Logout ... successful.');
    }
    return this.nodeRecord(name, a);
  }

  /** `-m node … -o update -n key -v value` edits the record file; without -o it is shown, passwords masked as iscsiadm does. */
  private nodeRecord(name: string, a: readonly string[]): CommandResult {
    const path = nodeRecordPath(this.options.arrays.find((x) => x.name === name)!, '1');
    const record = this.nodeFiles.get(path);
    if (record === undefined) return exit(21, '', 'iscsiadm: No records found');
    if (a.includes('update')) {
      const key = a[a.indexOf('-n') + 1]!;
      const line = `${key} = ${a[a.indexOf('-v') + 1]!}`;
      const lines = record.split('\n');
      const at = lines.findIndex((l) => l.startsWith(`${key} `));
      if (at >= 0) lines[at] = line;
      else lines.splice(lines.indexOf('# END RECORD'), 0, line);
      this.nodeFiles.set(path, lines.join('\n'));
      return ok('');
    }
    return ok(record.replace(/^(node\.session\.auth\.password\w*) = .*$/gm, '$1 = ********'));
  }

  private sessionListing(): string {
    const out = ['iSCSI Transport Class version 2.0-870', 'version 2.1.8'];
    for (const array of this.options.arrays) {
      const state = this.sessions.get(array.name);
      if (!state) continue;
      const lun = this.luns.get(array.name)!;
      out.push(
        `Target: ${array.targetIqn} (non-flash)`,
        `\tCurrent Portal: ${array.portal}:${array.port},1`,
        `\tPersistent Portal: ${array.portal}:${array.port},1`,
        '\t\t**********',
        '\t\tInterface:',
        '\t\t**********',
        `\t\tIface Name: ${ISCSI_IFACE}`,
        '\t\tIface Transport: tcp',
        `\t\tiSCSI Connection State: ${state === 'LOGGED_IN' ? 'LOGGED IN' : 'TRANSPORT WAIT'}`,
        `\t\tiSCSI Session State: ${state}`,
        '\t\t************************',
        '\t\tAttached SCSI devices:',
        '\t\t************************',
        '\t\tHost Number: 2\tState: running',
        '\t\tscsi2 Channel 00 Id 0 Lun: 0',
        `\t\t\tAttached scsi disk ${lun.disk}\t\tState: ${state === 'LOGGED_IN' ? 'running' : 'transport-offline'}`,
      );
    }
    return `${out.join('\n')}\n`;
  }

  private lunOnDisk(dev: string | undefined): [string, FakeLun] | undefined {
    return [...this.luns].find(([, l]) => `/dev/${l.disk}` === dev);
  }

  private mdadm(a: readonly string[]): CommandResult {
    if (a[0] === '--examine') {
      const hit = this.lunOnDisk(a.at(-1));
      const sb = hit?.[1].superblock;
      if (!sb) return exit(1, '', `mdadm: No md superblock detected on ${a.at(-1)!}.`);
      if (a[1] === '--export') return ok(`MD_LEVEL=raid1\nMD_DEVICES=2\nMD_NAME=any:${this.options.mdName}\nMD_ARRAY_SIZE=1071.64MB\nMD_UUID=${sb.uuid}\nMD_UPDATE_TIME=1796108400\nMD_DEV_UUID=0b1c2d3e:4f5a6b7c:8d9e0f1a:2b3c4d5e\nMD_EVENTS=${sb.events}\n`);
      return ok(`${a.at(-1)!}:\n          Magic : a92b4efc\n        Version : 1.2\n     Array UUID : ${sb.uuid}\n         Events : ${sb.events}\n\n   Device Role : Active device ${sb.role}\n   Array State : ${sb.arrayState} ('A' == active, '.' == missing, 'R' == replacing)\n`);
    }
    if (a[0] === '--detail') {
      if (!this.md) return exit(1, '', `mdadm: cannot open ${a.at(-1)!}: No such file or directory`);
      const lines = ['MD_LEVEL=raid1', 'MD_DEVICES=2', 'MD_METADATA=1.2', `MD_UUID=${this.options.arrayUuid}`, `MD_DEVNAME=${this.options.mdName}`, `MD_NAME=any:${this.options.mdName}`];
      for (const [disk, state] of this.md.members) {
        // mdadm 4.2 prints a faulty member's role as `spare` (its raid_disk is -1); /proc/mdstat marks it (F).
        const role = state === 'faulty' ? 'spare' : String(this.roleOf(disk));
        lines.push(`MD_DEVICE_dev_${disk}_ROLE=${role}`, `MD_DEVICE_dev_${disk}_DEV=/dev/${disk}`);
      }
      return ok(`${lines.join('\n')}\n`);
    }
    if (a[0] === '--assemble' || a[0] === '--create') {
      const devs = a.filter((x) => x.startsWith('/dev/') && !x.startsWith('/dev/md'));
      this.md = { kernelName: 'md127', members: new Map(devs.map((d) => [d.slice(5), 'in-sync'])) };
      if (a[0] === '--create') devs.forEach((d, i) => (this.lunOnDisk(d)![1].superblock = { uuid: this.options.arrayUuid, events: 0, role: i, arrayState: 'AA' }));
      return ok('', `mdadm: ${a[1]!} has been started with ${devs.length} drive${devs.length === 1 ? '' : 's'} (out of 2).`);
    }
    if (a[0] === '--stop') {
      this.md = undefined;
      return ok('', `mdadm: stopped ${a[1]!}`);
    }
    const dev = a[2]!.slice(5);
    if (a[1] === '--remove') {
      this.md?.members.delete(dev);
      return ok('', `mdadm: hot removed ${a[2]!} from ${a[0]!}`);
    }
    if (a[1] === '--re-add' && this.refuseReAdd) return exit(1, '', `mdadm: --re-add for ${a[2]!} to ${a[0]!} is not possible`);
    if (a[1] === '--re-add' || a[1] === '--add') {
      this.md?.members.set(dev, 'rebuilding');
      if (this.md) this.md.recoveryPercent = 12.6;
      return ok('', `mdadm: ${a[1] === '--add' ? 'added' : 're-added'} ${a[2]!}`);
    }
    return ok('');
  }

  private roleOf(disk: string): number {
    const i = this.options.arrays.findIndex((x) => this.luns.get(x.name)?.disk === disk);
    return i < 0 ? 0 : i;
  }

  private mdstat(): string {
    const head = 'Personalities : [raid1] \n';
    if (!this.md) return `${head}unused devices: <none>\n`;
    const members = [...this.md.members];
    const slots = this.options.arrays.map((x) => this.md!.members.get(this.luns.get(x.name)!.disk) === 'in-sync' ? 'U' : '_').join('');
    const inSync = [...slots].filter((c) => c === 'U').length;
    const lines = [
      `${head}${this.md.kernelName} : active raid1 ${members.map(([d, s]) => `${d}[${this.roleOf(d)}]${s === 'faulty' ? '(F)' : ''}`).join(' ')}`,
      `      1046528 blocks super 1.2 [2/${inSync}] [${slots}]`,
    ];
    if (this.md.recoveryPercent !== undefined) lines.push(`      [==>..................]  recovery = ${this.md.recoveryPercent}% (132096/1046528) finish=0.5min speed=26419K/sec`);
    lines.push('      bitmap: 1/1 pages [4KB], 65536KB chunk', '', 'unused devices: <none>', '');
    return lines.join('\n');
  }

  private hang(spec: CommandSpec): Promise<CommandResult> {
    this.inFlight++;
    return new Promise((resolve) => {
      const done = (): void => {
        this.inFlight--;
        resolve({ kind: 'aborted', durationMs: 1 });
      };
      if (spec.signal?.aborted) done();
      else spec.signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function ok(stdout: string, stderr = ''): CommandResult {
  return { kind: 'exited', exitCode: 0, stdout, stderr, durationMs: 1 };
}

function exit(exitCode: number, stdout = '', stderr = ''): CommandResult {
  return { kind: 'exited', exitCode, stdout, stderr, durationMs: 1 };
}
