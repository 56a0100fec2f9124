#!/usr/bin/env node
// The iSCSI mirrored volume in the VM lab (qemu TCG): how long taking the
// volume over takes, and how fast a returning array is resynchronised. TCG is
// slow, so every figure is also given as a ratio against the same operation on
// a plain, unmirrored iSCSI LUN on the same guests.
//
//   node test/bench/vm-volume.mjs [--runs 3] [--dirty-mib 64]   (as root, after npm run build)
//
// Takeover, per run: s1 holds the volume and writes; s1 is powered off; on s2
// (already logged in, as a standby is) the clock runs from the power cut to
// the first 4 KiB written with O_DIRECT|O_SYNC on the mounted volume:
//   plain:    mount the LUN's ext4, write.
//   mirrored: mdadm --assemble of both LUNs (UUID-checked, no --force), mount, write.
//   tandem:   `tandem volume apply --node s2` (what the resource's promote runs), then write;
//             this includes node and oclif starting under TCG, so `tandem volume plan` (the same
//             code loaded, no storage command run) is timed too, to show that share.
// Resync: with a2 off, --dirty-mib MiB are written to the degraded mirror; a2
// returns and is re-added; the clock runs until md reports the array clean.
// The write-intent bitmap copies only the chunks written while a2 was away
// (the dirty chunks are read from the bitmap and reported, since a chunk is
// 64 MiB on these small members); that is compared with a full copy of the
// member (mdadm --add of a wiped member) and with dd of the same amount to a
// plain LUN.
//
// Prints one JSON line and a table. Any failed step stops the run, tears the
// lab down and exits 1 naming the step.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VmLab, waitUntil } from '../../packages/lab/dist/index.js';
// The plugin's own parser of `iscsiadm -m session -P 3`: a LUN's disk line sits about 47 lines below its
// "Target:" line, so a fixed grep window misses it (the first version of this script did, with -A30).
import { parseIscsiSessions } from '../../plugins/volume-iscsi-mirror/dist/parse-sessions.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'dirty-mib': { type: 'string', default: '64' } } });
const runs = Number(values.runs);
const dirtyMiB = Number(values['dirty-mib']);
const MEMBER_MIB = 256;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${values.runs}`);
if (!Number.isInteger(dirtyMiB) || dirtyMiB < 1 || dirtyMiB > MEMBER_MIB / 2) throw new Error(`--dirty-mib must be 1..${MEMBER_MIB / 2} (it must fit on the ${MEMBER_MIB} MiB volume), got ${values['dirty-mib']}`);

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(repo, 'packages/cli/bin/run.js');
const CONFIG = join(repo, 'examples/iscsi-mirror-four-nic.yaml');
const UUID = '3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1';
const IQN = (name) => `iqn.2026-12.org.tandem.ledger:${name}`;
const PORTAL = { a1: '198.51.100.21:3260', a2: '198.51.100.22:3260', plain: '198.51.100.21:3261' };
const WRITE = 'dd if=/dev/urandom of=/srv/ledger/probe bs=4096 count=1 oflag=direct,sync conv=notrunc';
/** A shell loop in the guest that returns once md is clean (both members, no resync or recovery), at most `s` seconds. */
const UNTIL_CLEAN = (s) => `i=0; until grep -q '\\[UU\\]' /proc/mdstat && ! grep -Eq 'resync|recovery' /proc/mdstat; do i=$((i+1)); [ $i -le ${s * 10} ] || { cat /proc/mdstat; exit 9; }; sleep 0.1; done`;

let lab;
let current = 'lab up';
const g = (n) => lab.guest(n);

/** Runs one named step; a failure is rethrown naming it, so the exit says where the run stopped. */
async function step(name, fn) {
  current = name;
  try {
    return await fn();
  } catch (error) {
    throw new Error(`step "${name}" failed: ${error.message}`, { cause: error });
  }
}

/** The lab's poll, every 500 ms: a disk or an md state change shows within a few TCG ticks. */
const until = (what, timeoutMs, check) => waitUntil(what, timeoutMs, check, 500);

const tandem = (guest, args, timeoutMs = 600_000) => g(guest).exec([process.execPath, CLI, ...args, '-c', CONFIG], { timeoutMs });

/** Milliseconds a shell snippet takes inside the guest, by the guest's own clock; a failing snippet throws with its output. */
async function timed(guest, script) {
  const r = await g(guest).sh(
    `s=$(date +%s%N); ( set -e; ${script} ) >/tmp/timed.out 2>&1; rc=$?; e=$(date +%s%N); [ $rc = 0 ] || { tail -c 2000 /tmp/timed.out >&2; exit $rc; }; echo $(( (e - s) / 1000000 ))`,
    { timeoutMs: 900_000 },
  );
  return Number(r.stdout.trim().split('\n').pop());
}

/** The logged-in session of a target on this guest's initiator, with its disk attached and answering; polled, bounded. */
function lunDev(guest, target, timeoutMs = 60_000) {
  return until(`${guest}'s session to ${IQN(target)} at ${PORTAL[target]} with its disk attached`, timeoutMs, async () => {
    const r = await g(guest).exec(['iscsiadm', '-m', 'session', '-P', '3'], { allowFailure: true, timeoutMs: 60_000 });
    const s = parseIscsiSessions(r.stdout).find((x) => x.targetIqn === IQN(target) && x.portal === PORTAL[target]);
    if (!s || s.sessionState !== 'LOGGED_IN' || s.disks.length === 0) return undefined;
    // A session that has just come back lists its disk before the disk answers: read one block to be sure.
    await g(guest).exec(['dd', `if=/dev/${s.disks[0]}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct'], { timeoutMs: 30_000 });
    return `/dev/${s.disks[0]}`;
  });
}

/**
 * Log in to the plain LUN on the default iface (Tandem's own iface stays for the volume). The initiator name
 * is the guest's own, as the volume plugin writes it: every guest's root is the host's, so they would all
 * share the host's name, and a second login under the same name and ISID takes over the first session.
 * Logged in already (exit 15) is fine.
 */
async function plainLogin(guest) {
  const t = IQN('plain');
  await g(guest).sh(
    [
      `grep -qx 'InitiatorName=${IQN(guest)}' /etc/iscsi/initiatorname.iscsi || echo 'InitiatorName=${IQN(guest)}' > /etc/iscsi/initiatorname.iscsi`,
      'pidof iscsid >/dev/null || iscsid',
      // iscsid answers a moment after it forks; discovery goes through it.
      `i=0; until iscsiadm -m discovery -t st -p ${PORTAL.plain} -I default >/dev/null; do i=$((i+1)); [ $i -le 30 ] || exit 1; sleep 1; done`,
      `iscsiadm -m node -T ${t} -p ${PORTAL.plain} -I default -o update -n node.session.timeo.replacement_timeout -v 15`,
      `iscsiadm -m node -T ${t} -p ${PORTAL.plain} -I default --login >/dev/null; rc=$?; [ $rc = 0 ] || [ $rc = 15 ]`,
    ].join(' && '),
    { timeoutMs: 120_000 },
  );
  return lunDev(guest, 'plain');
}

/** Both members answering on this guest (a standby's state before the primary's power is cut). */
const volumeMembers = async (guest) => [await lunDev(guest, 'a1'), await lunDev(guest, 'a2')];
/** Wait on the holder until md is idle and clean, so the next measurement does not share the disks with a resync. */
const settle = (guest) => g(guest).sh(UNTIL_CLEAN(900), { timeoutMs: 960_000 });

const results = { plainTakeoverMs: [], mirroredTakeoverMs: [], tandemApplyMs: [], tandemPlanMs: [] };
let resync;
let failure;
const load = { before: await uptime() };
// Other engineers' VM tests share the 2 cores: sample, every 10 s, the load and the qemu guests that are not this lab's.
const sampled = [];
const sampler = setInterval(() => void uptime().then((u) => sampled.push(u), () => undefined), 10_000);
try {
  lab = await step('lab up', () =>
    VmLab.up({
      guests: [
        { name: 'a1', nics: { storage: '198.51.100.21' }, memoryMiB: 512, disks: [{ id: 'array', sizeMiB: MEMBER_MIB }, { id: 'plain', sizeMiB: MEMBER_MIB }] },
        { name: 'a2', nics: { storage: '198.51.100.22' }, memoryMiB: 512, disks: [{ id: 'array', sizeMiB: MEMBER_MIB }] },
        { name: 's1', memoryMiB: 1024 },
        { name: 's2', memoryMiB: 1024 },
      ],
      store: {},
    }),
  );
  for (const a of ['a1', 'a2']) await step(`export ${a}'s LUN`, () => tandem(a, ['volume', 'apply', '--array', a, '--yes']));
  await step('create the mirror on s1', async () => {
    await tandem('s1', ['volume', 'apply', '--node', 's1', '--create', '--yes']);
    await settle('s1');
    await g('s1').sh('umount /srv/ledger && mdadm --stop /dev/md/ledger', { timeoutMs: 120_000 });
  });
  // The standby logs in once and stays logged in (s2 is never powered off); it assembles only to take over.
  await step('log s2 in as the standby', async () => {
    await tandem('s2', ['volume', 'apply', '--node', 's2', '--yes']);
    await g('s2').sh('umount /srv/ledger && mdadm --stop /dev/md/ledger', { timeoutMs: 120_000 });
  });
  // A plain volume for comparison: ext4 straight on a1's LUN would destroy the mirror, so it is made on
  // a third LUN: a second disk of a1, of the same kind and size as the mirror's members, on its own port.
  await step('export the plain LUN on a1', async () => {
    const disk = await g('a1').diskDevice('plain');
    const t = `/iscsi/${IQN('plain')}/tpg1`;
    // One targetcli session (each start costs seconds under TCG). Any initiator may log in: it is a yardstick.
    const script = [`/backstores/block create name=plain dev=${disk}`, `/iscsi create ${IQN('plain')}`, `${t}/luns create /backstores/block/plain`, `${t}/portals create 198.51.100.21 3261`, `${t} set attribute generate_node_acls=1 demo_mode_write_protect=0 authentication=0`];
    await g('a1').exec(['targetcli'], { input: `${script.join('\n')}\nexit\n`, timeoutMs: 300_000 });
  });
  await step('mkfs on the plain LUN', async () => g('s1').sh(`mkfs.ext4 -q -F ${await plainLogin('s1')}`, { timeoutMs: 300_000 }));

  for (let i = 1; i <= runs; i++) {
    for (const kind of ['plain', 'mirrored', 'tandem']) {
      await step(`run ${i} ${kind}: takeover`, async () => {
        // s1 serves and writes, s2 stands by logged in; then s1 loses power.
        if (kind === 'plain') {
          await g('s1').sh(`mkdir -p /srv/ledger && mount ${await plainLogin('s1')} /srv/ledger && ${WRITE}`, { timeoutMs: 120_000 });
          const dev = await plainLogin('s2');
          await g('s2').sh('mkdir -p /srv/ledger');
          await g('s1').powerOff();
          results.plainTakeoverMs.push(await timed('s2', `mount ${dev} /srv/ledger && ${WRITE}`));
          await g('s2').sh('umount /srv/ledger', { timeoutMs: 120_000 });
        } else {
          await tandem('s1', ['volume', 'apply', '--node', 's1', '--yes']);
          await settle('s1');
          await g('s1').sh(WRITE, { timeoutMs: 120_000 });
          const members = await volumeMembers('s2');
          await g('s1').powerOff();
          if (kind === 'mirrored') {
            results.mirroredTakeoverMs.push(await timed('s2', `mdadm --assemble /dev/md/ledger --uuid=${UUID} --run ${members.join(' ')} && mount /dev/md/ledger /srv/ledger && ${WRITE}`));
          } else {
            results.tandemApplyMs.push(await timed('s2', `${process.execPath} ${CLI} volume apply --node s2 --yes -c ${CONFIG} && ${WRITE}`));
          }
          // A takeover after an unclean stop resyncs the bitmap's dirty chunks; let it finish before handing back.
          await settle('s2');
          // What node, oclif, the config and the plugin cost before any storage command: `volume plan` loads the
          // same code as apply and runs nothing on the host.
          if (kind === 'tandem') results.tandemPlanMs.push(await timed('s2', `${process.execPath} ${CLI} volume plan --node s2 -c ${CONFIG}`));
          await g('s2').sh('umount /srv/ledger && mdadm --stop /dev/md/ledger', { timeoutMs: 120_000 });
        }
        await g('s1').powerOn();
      });
    }
  }

  // Resync after an array returns: bitmap (dirty chunks only) against a full copy.
  const a2OnS1 = await step('degrade the mirror: a2 off, write', async () => {
    await tandem('s1', ['volume', 'apply', '--node', 's1', '--yes']);
    await settle('s1');
    const member = await lunDev('s1', 'a2');
    await g('a2').powerOff();
    await g('s1').sh(`dd if=/dev/urandom of=/srv/ledger/dirty bs=1M count=${dirtyMiB} oflag=direct conv=fsync`, { timeoutMs: 900_000 });
    // md drops a2's member once its session's replacement timeout (15 s) fails the writes.
    await until('md on s1 to mark a2 failed', 180_000, async () => ((await g('s1').exec(['cat', '/proc/mdstat'])).stdout.match(/\[(U_|_U)\]/) ? true : undefined));
    return member;
  });
  const bitmap = await step('read the write-intent bitmap', async () => {
    const a1 = await lunDev('s1', 'a1');
    const x = (await g('s1').exec(['mdadm', '-X', a1])).stdout;
    const bits = /Bitmap\s*:\s*(\d+) bits \(chunks\), (\d+) dirty/.exec(x);
    const chunk = /Chunksize\s*:\s*(\d+) (KB|MB|B)/.exec(x);
    if (!bits || !chunk) throw new Error(`no bitmap summary in mdadm -X ${a1}:\n${x}`);
    const chunkMiB = Number(chunk[1]) / { B: 1024 * 1024, KB: 1024, MB: 1 }[chunk[2]];
    return { chunks: Number(bits[1]), dirtyChunks: Number(bits[2]), chunkMiB };
  });
  const bitmapMs = await step('bitmap resync (re-add)', async () => {
    await g('a2').powerOn();
    await tandem('a2', ['volume', 'apply', '--array', 'a2', '--yes']);
    // The initiator logs back in by itself, on the same disk name; the session must answer before the re-add.
    const back = await lunDev('s1', 'a2', 240_000);
    if (back !== a2OnS1) throw new Error(`a2's LUN came back as ${back}, not ${a2OnS1}`);
    await g('s1').sh('mdadm /dev/md/ledger --remove failed; mdadm /dev/md/ledger --remove detached; true');
    return timed('s1', `mdadm /dev/md/ledger --re-add ${back} && ${UNTIL_CLEAN(900)}`);
  });
  const fullMs = await step('full resync (add of a wiped member)', async () => {
    await g('s1').sh(`mdadm /dev/md/ledger --fail ${a2OnS1} && mdadm /dev/md/ledger --remove ${a2OnS1} && mdadm --zero-superblock ${a2OnS1}`);
    return timed('s1', `mdadm /dev/md/ledger --add ${a2OnS1} && ${UNTIL_CLEAN(900)}`);
  });
  const plainDdMs = await step('dd to the plain LUN', async () => timed('s1', `dd if=/dev/zero of=${await plainLogin('s1')} bs=1M count=${dirtyMiB} oflag=direct conv=fsync`));
  resync = { dirtyMiB, memberMiB: MEMBER_MIB, bitmap, bitmapMs, fullMs, plainDdMs };
} catch (error) {
  failure = error;
} finally {
  if (lab) {
    try {
      await lab.down();
    } catch (error) {
      failure ??= new Error(`step "lab down" failed: ${error.message}`);
    }
  }
  clearInterval(sampler);
  // After this lab is gone: any qemu still running belongs to someone else's test.
  load.after = await uptime();
  load.during = {
    samples: sampled.length,
    load1Mean: +(sampled.reduce((a, u) => a + u.loadavg[0], 0) / Math.max(1, sampled.length)).toFixed(2),
    load1Max: Math.max(0, ...sampled.map((u) => u.loadavg[0])),
    samplesWithOtherGuests: sampled.filter((u) => u.qemuProcesses > 0).length,
    otherGuestsMax: Math.max(0, ...sampled.map((u) => u.qemuProcesses)),
  };
}
if (failure) {
  console.error(`vm-volume: ${failure.message.startsWith('step "') ? failure.message : `step "${current}" failed: ${failure.message}`}`);
  process.exit(1);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mibs = (mib, ms) => +(mib / (ms / 1000)).toFixed(1);
const plain = median(results.plainTakeoverMs);
const bitmapCopiedMiB = Math.min(MEMBER_MIB, resync.bitmap.dirtyChunks * resync.bitmap.chunkMiB);
const out = {
  bench: 'vm-volume',
  machine: 'qemu TCG guests, 1 vCPU each, on a 2-core host',
  runs,
  load,
  takeoverMs: { plain: results.plainTakeoverMs, mirrored: results.mirroredTakeoverMs, tandemApply: results.tandemApplyMs },
  tandemPlanMs: results.tandemPlanMs,
  ratios: { mirroredOverPlain: +(median(results.mirroredTakeoverMs) / plain).toFixed(2), tandemApplyOverPlain: +(median(results.tandemApplyMs) / plain).toFixed(2) },
  resync: {
    ...resync,
    bitmapCopiedMiB,
    bitmapMiBs: mibs(bitmapCopiedMiB, resync.bitmapMs),
    fullMiBs: mibs(MEMBER_MIB, resync.fullMs),
    plainDdMiBs: mibs(dirtyMiB, resync.plainDdMs),
    bitmapOverFullTime: +(resync.bitmapMs / resync.fullMs).toFixed(2),
  },
};
console.log(JSON.stringify(out));
console.log(`${'takeover (power cut to first synced write)'.padEnd(46)}${'median ms'.padStart(10)}${'x plain'.padStart(9)}`);
for (const [name, xs] of [['plain LUN: mount + write', results.plainTakeoverMs], ['mirror: assemble + mount + write', results.mirroredTakeoverMs], ['tandem volume apply + write', results.tandemApplyMs]]) {
  console.log(`${name.padEnd(46)}${String(median(xs)).padStart(10)}${(median(xs) / plain).toFixed(2).padStart(9)}`);
}
console.log(`(tandem volume plan on s2, no storage commands: median ${median(results.tandemPlanMs)} ms)`);
const b = resync.bitmap;
console.log(`resync after ${dirtyMiB} MiB written with a2 away: bitmap ${b.dirtyChunks} of ${b.chunks} chunks of ${b.chunkMiB} MiB dirty, re-add ${resync.bitmapMs} ms (${out.resync.bitmapMiBs} MiB/s)`);
console.log(`full ${MEMBER_MIB} MiB copy: ${resync.fullMs} ms (${out.resync.fullMiBs} MiB/s); dd ${dirtyMiB} MiB to a plain LUN: ${resync.plainDdMs} ms (${out.resync.plainDdMiBs} MiB/s)`);

/** The host's load average and how many qemu guests run that are not this lab's (ours are this process's children: `ip netns exec` execs qemu). */
async function uptime() {
  const { readFile, readdir } = await import('node:fs/promises');
  const loadavg = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number);
  let qemu = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (!comm.trim().startsWith('qemu-system')) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid) qemu++;
  }
  return { at: new Date().toISOString(), loadavg, qemuProcesses: qemu };
}
