import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock, type CallContext, type NodeInfo } from '@tandem/core';
import { VmLab, type VmGuest } from '@tandem/lab';
import { parseLsn, WalTools } from '@tandem/plugin-transport-wal-mirror';
import { mdadm } from '@tandem/plugin-volume-iscsi-mirror';
import { BlockMirrorTransport, blockMirrorOptions, type BlockMirrorOptions } from '@tandem/plugin-transport-block-mirror';
import { guestRunner } from './vm-guest-runner.js';

/**
 * The block-level WAL mirror for real, in two qemu guests: s2 exports its
 * `wal` disk with LIO, s1 logs in and runs PostgreSQL with pg_wal on the
 * RAID-1 of its own disk and s2's. s2's standby is cut from streaming and
 * paused, so every row committed afterwards exists on s2 only through the
 * mirror. s1 is powered off; s2 takes the mirror over read-only, inFlight
 * finds the end of the WAL (past recycled segments), recovery-compensate
 * replays it, s2 is promoted and must hold every acknowledged row.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const PREP = '/tmp/tandem-bm-vmlab-pgdata';
const WORK = '/var/lib/tandem-bm';
const DATA = `${WORK}/data`;
const SOCK = WORK;
const UUID = '6c1f0a9e:2b7d4c31:9e08a5f2:41d3b7c6';

const ctx = (timeoutMs = 300_000): CallContext => ({ timeoutMs, signal: new AbortController().signal });
const asPg = (script: string): string[] => ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', 'sh', '-c', `cd / && ${script}`];
/** recovery-compensate's execute, as the agent on s2 would run it (the guest sees this tree at the same path). */
function compensateInGuest(mirrorDir: string): string {
  const root = new URL('../../', import.meta.url).pathname;
  return [
    `import { ExecaCommandRunner, SystemClock } from '${root}packages/core/dist/index.js';`,
    `import { CompensateStrategy, compensateOptions } from '${root}plugins/recovery-compensate/dist/index.js';`,
    `import { WalTools } from '${root}plugins/transport-wal-mirror/dist/index.js';`,
    'const runner = new ExecaCommandRunner();',
    `const strategy = new CompensateStrategy(compensateOptions.parse({ mirrorDir: '${mirrorDir}', binDir: '${BIN}', standby: { socketDir: '${SOCK}' } }), new WalTools(runner, '${BIN}', 'postgres', true), new SystemClock());`,
    "const node = (name) => ({ name, nics: {} });",
    "const r = await strategy.execute({ failed: node('s1'), candidate: node('s2'), epoch: 2, kind: 'failover', acceptDataLoss: false }, { timeoutMs: 240000, signal: AbortSignal.timeout(240000) });",
    'console.log(JSON.stringify(r));',
  ].join('\n');
}

/** pg_ctl start, with the server log in the error when it does not come up. */
const pgStart = (): string[] => asPg(`${BIN}/pg_ctl -D ${DATA} -l ${WORK}/log -w -t 120 start || { cat ${WORK}/log >&2; exit 1; }`);
const psql = (sql: string): string => `${BIN}/psql -X -At -h ${SOCK} -p 5432 -U postgres -d postgres -c "${sql}"`;

function node(g: VmGuest): NodeInfo {
  return { name: g.name, nics: { storage: { name: 'eth1', address: g.address('storage'), prefixLength: 25 } } };
}

/** initdb runs on the host (fast), 1 MiB segments and a small max_wal_size so segments get recycled during the test. */
function prepareDataDir(): void {
  rmSync(PREP, { recursive: true, force: true });
  mkdirSync(PREP, { recursive: true });
  execFileSync('chown', ['postgres:postgres', PREP]);
  execFileSync('setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', `${BIN}/initdb`, '-D', `${PREP}/data`, '-N', '--wal-segsize=1', '-A', 'trust'], { cwd: '/', stdio: 'ignore' });
  appendFileSync(`${PREP}/data/postgresql.conf`, ["listen_addresses = '*'", `unix_socket_directories = '${SOCK}'`, 'min_wal_size = 4MB', 'max_wal_size = 4MB', 'shared_buffers = 16MB', ''].join('\n'));
  appendFileSync(`${PREP}/data/pg_hba.conf`, 'host all all 0.0.0.0/0 trust\nhost replication all 0.0.0.0/0 trust\n');
  writeFileSync(`${PREP}/ready`, 'ok');
}

describe('block-level WAL mirror in the VM lab (s1 primary, s2 standby)', () => {
  let lab: VmLab;
  let s1: VmGuest;
  let s2: VmGuest;
  let t1: BlockMirrorTransport;
  let t2: BlockMirrorTransport;
  let opts2: BlockMirrorOptions;
  /** Rows s1 acknowledged. */
  let acked = 0;

  beforeAll(async () => {
    prepareDataDir();
    lab = await VmLab.up({ guests: [{ name: 's1', disks: [{ id: 'wal', sizeMiB: 64 }] }, { name: 's2', disks: [{ id: 'wal', sizeMiB: 64 }] }] });
    s1 = lab.guest('s1');
    s2 = lab.guest('s2');
    const nodes = [node(s1), node(s2)];
    const make = async (g: VmGuest): Promise<[BlockMirrorTransport, BlockMirrorOptions]> => {
      const o = blockMirrorOptions.parse({ arrayUuid: UUID, localDevice: await g.diskDevice('wal'), initiatorIqn: 'iqn.2026-12.org.tandem:{node}', mountPath: `${WORK}/walmirror`, stagingDir: `${WORK}/inflight`, binDir: BIN, standby: { socketDir: SOCK } });
      const runner = guestRunner(g);
      return [new BlockMirrorTransport(o, runner, new WalTools(runner, BIN, 'postgres', true), { self: nodes.find((n) => n.name === g.name)!, nodes }, new SystemClock()), o];
    };
    [t1] = await make(s1);
    [t2, opts2] = await make(s2);
    for (const g of [s1, s2]) await g.sh(`mkdir -p ${WORK} && cp -a ${PREP}/data ${DATA} && chown -R postgres:postgres ${WORK}`);
  }, 600_000);

  afterAll(async () => {
    await lab?.down();
    rmSync(PREP, { recursive: true, force: true });
  }, 120_000);

  it('s2 exports its WAL disk; s1 assembles the RAID-1 with it and runs PostgreSQL with pg_wal on it', async () => {
    const exported = await t2.start({ ...ctx(), primary: node(s1) });
    expect(exported.code, exported.reason).toBe('ok');
    expect((await t2.status(ctx())).data?.role).toBe('sink');
    expect((await t2.start({ ...ctx(), primary: node(s1) })).code).toBe('ok');

    // No array yet: the primary logs in, then refuses to assemble what was never created.
    const first = await t1.start(ctx());
    expect(first.code).toBe('failed');
    expect(first.reason).toMatch(/not a member of/);
    const lun = /Attached scsi disk (sd\w+)/.exec((await s1.exec(['iscsiadm', '-m', 'session', '-P', '3'])).stdout)?.[1];
    expect(lun).toBeDefined();
    const local = await s1.diskDevice('wal');
    // Fresh zeroed disks: identical already, so --assume-clean skips a pointless initial resync.
    await s1.exec(['mdadm', ...mdadm.create('/dev/md/tandem-wal', UUID, 'tandem-wal', [local, `/dev/${lun}`]).filter((a) => a !== '--run'), '--assume-clean', '--run']);
    await s1.exec(['mkfs.ext4', '-q', '-O', '^has_journal', '/dev/md/tandem-wal']);
    const started = await t1.start(ctx());
    expect(started.code, started.reason).toBe('ok');
    expect((await t1.start(ctx())).code).toBe('ok');
    const st = await t1.status(ctx());
    expect(st.data?.role).toBe('source');
    expect(st.reason).toMatch(/in sync/);

    await s1.sh(`mkdir ${WORK}/walmirror/pg_wal && cp -a ${DATA}/pg_wal/. ${WORK}/walmirror/pg_wal/ && rm -rf ${DATA}/pg_wal && ln -s ${WORK}/walmirror/pg_wal ${DATA}/pg_wal && chown -R postgres:postgres ${WORK}`);
    await s1.exec(pgStart(), { timeoutMs: 150_000 });
    const flushed = await t1.status(ctx());
    expect(flushed.data?.flushed?.offset, flushed.reason).toBeGreaterThan(0);

    // A slot keeps on s1 (so on the mirror) every segment s2 has not received: the mirror's pg_wal is s1's, and s1 recycles.
    await s1.exec(asPg(psql("select pg_create_physical_replication_slot('s2')")));
    await s2.sh(`touch ${DATA}/standby.signal && printf "%s\\n" "primary_conninfo = 'host=${s1.address('storage')} port=5432 user=postgres application_name=s2'" "primary_slot_name = 's2'" >> ${DATA}/postgresql.auto.conf`);
    await s2.exec(pgStart(), { timeoutMs: 150_000 });
    await s1.exec(asPg(psql('create table acked(i int primary key, pad text)')));
    await s2.sh(`for i in $(seq 60); do [ "$(${psql("select count(*) from pg_class where relname='acked'")})" = 1 ] && exit 0; sleep 1; done; exit 1`, { timeoutMs: 90_000 });
    // Several MiB of WAL in 1 MiB segments with checkpoints while s2 streams (its slot follows): old segments are
    // recycled, renamed to future names with their old content, which the takeover must not take for new WAL.
    for (let batch = 0; batch < 6; batch++) {
      await s1.exec(asPg(psql(`insert into acked select g, repeat('w', 400) from generate_series(${batch * 1500 + 1}, ${(batch + 1) * 1500}) g`)), { timeoutMs: 120_000 });
      acked = (batch + 1) * 1500;
      if (batch % 2 === 1) await s1.exec(asPg(psql('checkpoint')), { timeoutMs: 120_000 });
    }
    await s1.exec(asPg(psql('checkpoint')), { timeoutMs: 120_000 });
    // From here on the standby gets nothing by streaming: what it lacks can only come from the mirror.
    await s2.exec(asPg(`${psql("alter system set primary_conninfo = ''")} && ${psql('select pg_reload_conf()')} && ${psql('select pg_wal_replay_pause()')}`));
  }, 900_000);

  it('after s1 is powered off, s2 takes its member over read-only and replays every acknowledged commit', async () => {
    // Only through the mirror from here: one more batch, then single-row commits, into the recycled segments.
    await s1.exec(asPg(psql(`insert into acked select g, repeat('m', 400) from generate_series(${acked + 1}, ${acked + 1500}) g`)), { timeoutMs: 120_000 });
    acked += 1500;
    for (let i = 1; i <= 20; i++) {
      await s1.exec(asPg(psql(`insert into acked values (${acked + 1}, 'last')`)));
      acked++;
    }
    const flushLsn = parseLsn((await s1.exec(asPg(psql('select pg_current_wal_flush_lsn()')))).stdout)!;
    const walFiles = (await s1.exec(['ls', `${WORK}/walmirror/pg_wal`])).stdout.split('\n').filter((n) => /^[0-9A-F]{24}$/.test(n)).sort();
    await s1.powerOff();

    const taken = await t2.takeOver(ctx());
    expect(taken.code, taken.reason).toBe('ok');
    expect((await s2.exec(['cat', '/proc/mdstat'])).stdout).toMatch(/\(read-only\)|\(auto-read-only\)/);
    const flight = await t2.inFlight(ctx());
    expect(flight.code, flight.reason).toBe('ok');
    const { from, to, location } = flight.data!;
    expect(location).toBe(opts2.stagingDir);
    // Every byte s1 flushed (and so every commit it acknowledged) is on s2's disk, and the end is not beyond what s1 wrote.
    expect(to.offset).toBeGreaterThanOrEqual(flushLsn);
    expect(from.offset).toBeLessThan(to.offset);
    // pg_wal held segments named past the end (recycled ahead with old content): the scan did not take them for WAL.
    const endSegment = Math.floor(to.offset / 2 ** 20);
    expect(walFiles.some((n) => parseInt(n.slice(16), 16) + parseInt(n.slice(8, 16), 16) * 4096 > endSegment), walFiles.join(' ')).toBe(true);

    // recovery-compensate reads its mirror directory with node's fs, so it runs where the agent would: in the guest (same tree, same node).
    const report = JSON.parse((await s2.exec(['node', '--input-type=module', '-'], { input: compensateInGuest(opts2.stagingDir), timeoutMs: 300_000 })).stdout.trim().split('\n').at(-1)!) as { code: string; reason: string; data?: { to?: { offset: number } } };
    expect(report.code, report.reason).toBe('ok');
    expect(report.data?.to?.offset).toBe(to.offset);
    expect((await t2.stop(ctx())).code).toBe('ok');
    await s2.exec(asPg(`${BIN}/pg_ctl -D ${DATA} -w -t 120 promote`), { timeoutMs: 150_000 });
    const rows = Number((await s2.exec(asPg(psql('select count(*) from acked')))).stdout.trim());
    expect(rows).toBe(acked);
  }, 900_000);
});
