import { describe, expect, it } from 'vitest';
import { SystemClock, type CallContext, type CommandRunner, type NodeInfo } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import { scsiPrOptions, type ScsiPrOptionsInput } from './options.js';
import { KeyScheme } from './pr-key.js';
import { ScsiPrFencer } from './scsi-pr-fencer.js';
import { PrModel } from './testing/pr-model.js';
import { ISCSI_SESSIONS_P3 } from './testing/samples.js';

const db1: NodeInfo = { name: 'db1', nics: {} };
const db2: NodeInfo = { name: 'db2', nics: {} };
const scheme = new KeyScheme(['db1', 'db2'], { db1: 1, db2: 2 });
const DEVICES = ['/dev/disk/by-path/ip-10.0.3.21:3260-iscsi-iqn.2003-01.org.linux-iscsi.stor1:mirror-a-lun-0', '/dev/disk/by-path/ip-10.0.3.22:3260-iscsi-iqn.2003-01.org.linux-iscsi.stor2:mirror-b-lun-0'];
const [A, B] = DEVICES as [string, string];

const ctx = (timeoutMs = 5000): CallContext => ({ signal: new AbortController().signal, timeoutMs });
const key = (node: string, epoch: number) => scheme.keyOf(node, epoch);

function fencerOn(runner: CommandRunner, extra: Partial<ScsiPrOptionsInput> = {}, local: NodeInfo = db2): ScsiPrFencer {
  return new ScsiPrFencer(runner, new SystemClock(), scsiPrOptions.parse({ devices: DEVICES, ...extra }), scheme, local);
}

/** db1 was primary at epoch 6: registered and holding a type-5 reservation on both LUNs. */
function db1Primary(epoch = 6): PrModel {
  const model = new PrModel(DEVICES);
  for (const d of DEVICES) model.register('db1', d, key('db1', epoch), 5);
  return model;
}

describe('ScsiPrFencer.fence', () => {
  it('preempts the old primary on every LUN; its writes are then refused and ours pass', async () => {
    const model = db1Primary();
    expect(model.canWrite('db2', A)).toBe(false);
    const result = await fencerOn(model.initiator('db2')).fence({ node: db1, epoch: 7, reason: 'test' }, ctx());
    expect(result).toMatchObject({ code: 'ok', data: { epoch: 7 } });
    expect(result.data?.verified).toMatch(/no key of db1 registered; reservation \(Write Exclusive, registrants only\) held by 0x0002000000000007 \(db2, epoch 7\)/);
    for (const d of DEVICES) {
      expect(model.keys(d)).toEqual([key('db2', 7)]);
      expect(model.holderKey(d)).toBe(key('db2', 7));
      expect(model.canWrite('db1', d)).toBe(false);
      expect(model.canWrite('db2', d)).toBe(true);
    }
  });

  it('sends register, then preempt-and-abort of the holder, then reads the table back (exact argv on one LUN)', async () => {
    const model = db1Primary();
    await fencerOn(model.initiator('db2'), { devices: [A] }).fence({ node: db1, epoch: 7, reason: 'test' }, ctx());
    expect(model.log.map((c) => c.args.slice(0, -1).join(' '))).toEqual([
      '--in --no-inquiry --read-keys',
      '--in --no-inquiry --read-reservation',
      '--out --no-inquiry --register-ignore --param-sark=0x0002000000000007',
      '--out --no-inquiry --preempt-abort --param-rk=0x0002000000000007 --param-sark=0x0001000000000006 --prout-type=5',
      '--in --no-inquiry --read-keys',
      '--in --no-inquiry --read-reservation',
    ]);
  });

  it('is idempotent: a second fence at the same epoch only reads', async () => {
    const model = db1Primary();
    const fencer = fencerOn(model.initiator('db2'));
    await fencer.fence({ node: db1, epoch: 7, reason: 'first' }, ctx());
    const before = model.log.length;
    const again = await fencer.fence({ node: db1, epoch: 7, reason: 'again' }, ctx());
    expect(again.code).toBe('ok');
    expect(again.reason).toMatch(/already fenced/);
    expect(model.log.slice(before).every((c) => c.args[0] === '--in')).toBe(true);
  });

  it('a later epoch re-keys our registration and keeps the reservation; an earlier one after it changes nothing', async () => {
    const model = db1Primary();
    const fencer = fencerOn(model.initiator('db2'));
    await fencer.fence({ node: db1, epoch: 7, reason: 'first' }, ctx());
    expect((await fencer.fence({ node: db1, epoch: 8, reason: 'later' }, ctx())).code).toBe('ok');
    expect(model.holderKey(A)).toBe(key('db2', 8));
    const older = await fencer.fence({ node: db1, epoch: 7, reason: 'late retry' }, ctx());
    expect(older).toMatchObject({ code: 'ok', data: { epoch: 7 } });
    expect(model.holderKey(A)).toBe(key('db2', 8));
  });

  it('a stale fencer (lower epoch) never preempts a newer holder', async () => {
    const model = db1Primary(9);
    const result = await fencerOn(model.initiator('db2')).fence({ node: db1, epoch: 7, reason: 'stale' }, ctx());
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/0x0001000000000009 \(db1, epoch 9\), newer than epoch 7/);
    expect(model.holderKey(A)).toBe(key('db1', 9));
    expect(model.log.every((c) => c.args[0] === '--in')).toBe(true);
  });

  it('with nobody holding the LUN (db1 registered only), reserves after removing db1', async () => {
    const model = new PrModel([A]);
    model.register('db1', A, key('db1', 3));
    const result = await fencerOn(model.initiator('db2'), { devices: [A] }).fence({ node: db1, epoch: 4, reason: 't' }, ctx());
    expect(result.code).toBe('ok');
    expect(model.keys(A)).toEqual([key('db2', 4)]);
    expect(model.holderKey(A)).toBe(key('db2', 4));
  });

  it('fails, naming the device, when one LUN cannot be opened; never ok on part of the set', async () => {
    const model = db1Primary();
    model.setOffline(B, true);
    const result = await fencerOn(model.initiator('db2')).fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    expect(result.code).toBe('failed');
    expect(result.reason).toContain(B);
    expect(result.reason).toMatch(/already fenced on .*mirror-a/);
  });

  it('refuses to trust a key no configured node owns', async () => {
    const model = db1Primary();
    model.register('intruder', A, 0x7777000000000001n);
    const result = await fencerOn(model.initiator('db2')).fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    expect(result.code).toBe('failed');
    expect(result.reason).toMatch(/belong to no configured node/);
  });

  it('retries once after a unit attention', async () => {
    const model = db1Primary();
    const fencer = fencerOn(model.initiator('db2'), { devices: [A] });
    await fencer.fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    // db1 was preempted: its next command gets a unit attention first, then the answer.
    const db1View = fencerOn(model.initiator('db1'), { devices: [A] }, db1);
    const seen = await db1View.status(db1, ctx());
    expect(seen).toMatchObject({ code: 'ok', data: { fenced: true } });
    expect(model.log.filter((c) => c.initiator === 'db1')).toHaveLength(2);
  });

  it('finds LUNs by target IQN in iscsiadm -m session -P 3, and says how to log in when a session is missing', async () => {
    const model = new PrModel(['/dev/sdb', '/dev/sdc']);
    for (const d of ['/dev/sdb', '/dev/sdc']) model.register('db1', d, key('db1', 2), 5);
    model.sessions = ISCSI_SESSIONS_P3;
    const byIqn = { devices: [{ targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a', lun: 0 }, { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor2:mirror-b', lun: 0 }] };
    const result = await fencerOn(model.initiator('db2'), byIqn).fence({ node: db1, epoch: 3, reason: 't' }, ctx());
    expect(result.code).toBe('ok');
    expect(result.data?.verified).toMatch(/on \/dev\/sdb, \/dev\/sdc:/);
    model.sessions = undefined;
    const none = await fencerOn(model.initiator('db2'), byIqn).fence({ node: db1, epoch: 4, reason: 't' }, ctx());
    expect(none.code).toBe('failed');
    expect(none.reason).toMatch(/iscsiadm -m node -T iqn.2003-01.org.linux-iscsi.stor1:mirror-a --login/);
  });

  it('maps a missing sg_persist to not-installed and an unsupported PR command to config-error', async () => {
    const missing = recordingRunner([{ program: 'sg_persist', result: answer.notInstalled('sg_persist', 'sg3-utils') }]);
    expect((await fencerOn(missing).fence({ node: db1, epoch: 7, reason: 't' }, ctx())).code).toBe('not-installed');
    const refused = recordingRunner([{ program: 'sg_persist', result: answer.exit(5, '', 'persistent reserve in: Illegal request, Invalid opcode') }]);
    const r = await fencerOn(refused).fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    expect(r.code).toBe('config-error');
    expect(r.reason).toMatch(/emulate_pr/);
  });

  it('refuses to fence itself, and node-id clashes, as config-error', async () => {
    const model = db1Primary();
    expect((await fencerOn(model.initiator('db2')).fence({ node: db2, epoch: 7, reason: 't' }, ctx())).code).toBe('config-error');
    const clash = new ScsiPrFencer(model.initiator('db2'), new SystemClock(), scsiPrOptions.parse({ devices: DEVICES }), new KeyScheme(['db1', 'db2'], { db1: 3, db2: 3 }), db2);
    expect((await clash.fence({ node: db1, epoch: 7, reason: 't' }, ctx())).code).toBe('config-error');
    expect(model.log).toHaveLength(0);
  });
});

describe('ScsiPrFencer.status and unfence', () => {
  it('status: not fenced while a key of the node is registered anywhere, fenced when none is', async () => {
    const model = db1Primary();
    const fencer = fencerOn(model.initiator('db2'));
    expect(await fencer.status(db1, ctx())).toMatchObject({ code: 'ok', data: { fenced: false } });
    await fencer.fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    expect(await fencer.status(db1, ctx())).toMatchObject({ code: 'ok', data: { fenced: true } });
    expect(await fencer.status(db2, ctx())).toMatchObject({ code: 'ok', data: { fenced: false } });
  });

  it('unfence changes nothing on the devices (no registration for another initiator) and is ok while they answer', async () => {
    const model = db1Primary();
    const fencer = fencerOn(model.initiator('db2'));
    await fencer.fence({ node: db1, epoch: 7, reason: 't' }, ctx());
    const writesBefore = model.log.filter((c) => c.args[0] === '--out').length;
    const result = await fencer.unfence(db1, 7, ctx());
    expect(result.code).toBe('ok');
    expect(result.reason).toMatch(/registers its own key/);
    expect(model.log.filter((c) => c.args[0] === '--out').length).toBe(writesBefore);
    model.setOffline(A, true);
    expect((await fencer.unfence(db1, 7, ctx())).code).toBe('failed');
  });
});
