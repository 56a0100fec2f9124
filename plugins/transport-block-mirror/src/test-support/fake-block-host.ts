import type { CommandResult, CommandRunner, CommandSpec } from '@tandem/core';

const exit = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 });

/**
 * One simulated node for the plugin's unit tests: LIO's configfs, md, the
 * mount table, iscsiadm, psql and pg_waldump, answering the exact argv the
 * plugin runs. Outputs are written from the tools' documented formats
 * (mdadm 4.2 --export, /proc/mdstat, iscsiadm 2.1 -P 3, findmnt -o OPTIONS)
 * and, for pg_waldump, from messages seen on a real PostgreSQL 15.
 */
export class FakeBlockHost implements CommandRunner {
  exported = false;
  /** What targetcli leaves behind when told to delete the backstore (a stuck LUN). */
  deleteFails = false;
  md: { readOnly: boolean; members: string[]; recovering?: number } | undefined;
  mounted: 'no' | 'ro' | 'rw' = 'no';
  superblockUuid: string | undefined = '6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6';
  sessionDisk: string | undefined;
  replayLsn: string | undefined = '0/3000060';
  receivedLsn: string | undefined;
  flushLsn = '0/5000110';
  walFiles: { name: string; size: number }[] = [];
  /** pg_waldump answers, first match on the argv joined by spaces. */
  waldump: { match: RegExp; exitCode: number; stdout?: string; stderr?: string }[] = [];
  /** A command matching this (program and args joined by spaces) never finishes until the caller aborts (conformance's slow subject). */
  hangOn: RegExp | undefined;
  /** Where `<dataDir>/pg_wal` leads (readlink -m): a directory of its own unless set. */
  pgWalTarget: string | undefined;
  readonly recorded: CommandSpec[] = [];
  running = 0;

  lines(): string[] {
    return this.recorded.map((s) => [s.file.split('/').pop(), ...s.args].join(' '));
  }

  async which(file: string): Promise<string | undefined> {
    return `/usr/bin/${file}`;
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    if (!(spec.timeoutMs > 0)) throw new RangeError(`${spec.file}: timeoutMs must be > 0`);
    this.recorded.push(spec);
    if (spec.signal?.aborted) return { kind: 'aborted', durationMs: 0 };
    const program = spec.file.split('/').pop()!;
    // psql is run through setpriv as the OS user.
    const [cmd, args] = program === 'setpriv' ? [spec.args[3]!.split('/').pop()!, spec.args.slice(4)] : [program, spec.args];
    if (this.hangOn?.test([cmd, ...args].join(' '))) return this.hang(spec);
    return this.answer(cmd, args, spec);
  }

  private hang(spec: CommandSpec): Promise<CommandResult> {
    this.running++;
    return new Promise((resolve) => {
      const done = (): void => {
        this.running--;
        resolve({ kind: 'aborted', durationMs: 1 });
      };
      if (spec.signal?.aborted) done();
      else spec.signal?.addEventListener('abort', done, { once: true });
    });
  }

  private answer(cmd: string, args: readonly string[], spec: CommandSpec): CommandResult {
    const a = args.join(' ');
    switch (cmd) {
      case 'find':
        if (args[0] === '/sys/kernel/config/target/core') return exit(0, this.exported ? `/sys/kernel/config/target/core/iblock_0/${args.at(-1)}\n` : '');
        return exit(0, this.walFiles.map((f) => `${f.name} ${f.size}\n`).join(''));
      case 'sh':
        this.exported = true;
        return exit(0, 'storage host: exported\n');
      case 'targetcli':
        if (!this.deleteFails && spec.input?.includes('delete')) this.exported = false;
        return exit(0, 'Deleted storage object.\n');
      case 'mdadm':
        return this.mdadm(args);
      case 'readlink':
        return exit(0, `${this.pgWalTarget ?? args[args.length - 1]}\n`);
      case 'findmnt':
        return this.mounted === 'no' ? exit(1) : exit(0, `${this.mounted},relatime\n`);
      case 'mount':
        if (this.md === undefined) return exit(32, '', 'mount: special device does not exist');
        this.mounted = args.includes('ro') ? 'ro' : 'rw';
        return exit(0);
      case 'umount':
        this.mounted = 'no';
        return exit(0);
      case 'cat':
        if (args[0] === '/proc/mdstat') return exit(0, this.mdstat());
        return exit(1, '', 'No such file');
      case 'iscsiadm':
        if (a.startsWith('-m session')) return this.sessionDisk ? exit(0, sessionText(this.sessionDisk)) : exit(21, '', 'iscsiadm: No active sessions.');
        if (a.includes('discovery')) return exit(0, '198.51.100.12:3260,1 iqn.2026-12.org.tandem:wal-s2\n');
        if (a.includes('--login')) this.sessionDisk = 'sda';
        return exit(0);
      case 'blockdev':
        return this.md ? exit(0, this.md.readOnly ? '1\n' : '0\n') : exit(1, '', 'blockdev: cannot open');
      case 'pidof':
        return exit(0, '321\n');
      case 'psql':
        if (a.includes('pg_last_wal_replay_lsn')) return exit(0, `${this.replayLsn ?? ''}|${this.receivedLsn ?? ''}\n`);
        if (a.includes('pg_current_wal_flush_lsn')) return exit(0, `${this.flushLsn}\n`);
        return exit(0);
      case 'pg_waldump': {
        const hit = this.waldump.find((w) => w.match.test(a));
        return hit ? exit(hit.exitCode, hit.stdout ?? '', hit.stderr ?? '') : exit(1, '', 'pg_waldump: error: unexpected call in the fake');
      }
      default:
        return exit(0);
    }
  }

  private mdadm(args: readonly string[]): CommandResult {
    const [op] = args;
    if (op === '--detail') {
      if (this.md === undefined) return exit(1, '', 'mdadm: cannot open /dev/md/tandem-wal: No such file or directory');
      const members = this.md.members.map((d, i) => `MD_DEVICE_dev_${d.slice(5)}_ROLE=${i}\nMD_DEVICE_dev_${d.slice(5)}_DEV=${d}\n`).join('');
      return exit(0, `MD_LEVEL=raid1\nMD_DEVICES=2\nMD_METADATA=1.2\nMD_UUID=${this.superblockUuid}\nMD_DEVNAME=tandem-wal\n${members}`);
    }
    if (op === '--examine') {
      if (this.superblockUuid === undefined) return exit(1, '', `mdadm: No md superblock detected on ${args.at(-1)}.`);
      if (args[1] === '--export') return exit(0, `MD_LEVEL=raid1\nMD_DEVICES=2\nMD_UUID=${this.superblockUuid}\nMD_DEV_UUID=acbffa25:e03f8081:be6c1212:f422ba45\nMD_EVENTS=18\n`);
      return exit(0, `     Array UUID : ${this.superblockUuid}\n         Events : 18\n   Device Role : Active device 1\n   Array State : AA ('A' == active, '.' == missing, 'R' == replacing)\n`);
    }
    if (op === '--assemble') {
      const devs = args.filter((x) => x.startsWith('/dev/') && !x.startsWith('/dev/md/'));
      this.md = { readOnly: args.includes('--readonly'), members: devs };
      return exit(0, '', `mdadm: /dev/md/tandem-wal has been started with ${devs.length} drive(s) (out of 2).`);
    }
    if (op === '--stop') {
      this.md = undefined;
      return exit(0, '', 'mdadm: stopped /dev/md/tandem-wal');
    }
    if (args[1] === '--re-add' && this.md) {
      this.md.members.push(args[2]!);
      return exit(0);
    }
    return exit(args[1] === '--remove' ? 1 : 0);
  }

  private mdstat(): string {
    if (!this.md) return 'Personalities : [raid1]\nunused devices: <none>\n';
    const m = this.md;
    const members = m.members.map((d, i) => `${d.slice(5)}[${i}]`).join(' ');
    const map = m.members.length === 2 ? 'UU' : 'U_';
    const progress = m.recovering === undefined ? '' : `      [==>..................]  recovery = ${m.recovering}% (8192/64512) finish=0.1min speed=8192K/sec\n`;
    return `Personalities : [raid1]\nmd127 : active${m.readOnly ? ' (read-only)' : ''} raid1 ${members}\n      64512 blocks super 1.2 [2/${m.members.length}] [${map}]\n${progress}      bitmap: 1/1 pages [4KB], 65536KB chunk\n\nunused devices: <none>\n`;
  }
}

function sessionText(disk: string): string {
  return [
    'iSCSI Transport Class version 2.0-870',
    'version 2.1.8',
    'Target: iqn.2026-12.org.tandem:wal-s2 (non-flash)',
    '\tCurrent Portal: 198.51.100.12:3260,1',
    '\tPersistent Portal: 198.51.100.12:3260,1',
    '\t\tIface Name: tandem-storage',
    '\t\tiSCSI Session State: LOGGED_IN',
    '\t\t************************',
    '\t\tAttached SCSI devices:',
    '\t\t************************',
    '\t\tHost Number: 2\tState: running',
    '\t\tscsi2 Channel 00 Id 0 Lun: 0',
    `\t\t\tAttached scsi disk ${disk}\t\tState: running`,
    '',
  ].join('\n');
}
