import { describe, expect, it } from 'vitest';
import { SystemClock, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { scsiPrOptions } from './options.js';
import { KeyScheme } from './pr-key.js';
import { ScsiPrClaimAgent } from './scsi-pr-claim-agent.js';
import { ScsiPrFencer } from './scsi-pr-fencer.js';
import { PrModel } from './testing/pr-model.js';
import { ISCSI_SESSIONS_P3 } from './testing/samples.js';

const DEVICES = ['/dev/sdb', '/dev/sdc'];
const scheme = new KeyScheme(['db1', 'db2'], { db1: 1, db2: 2 });
const node = (name: string): NodeInfo => ({ name, nics: {} });
const ctx = (epoch: number): ResourceCallContext => ({ signal: new AbortController().signal, timeoutMs: 5000, epoch });
const options = scsiPrOptions.parse({ devices: DEVICES });
const agentOf = (model: PrModel, name: string) => new ScsiPrClaimAgent(model.initiator(name), new SystemClock(), options, scheme, node(name));

describe('ScsiPrClaimAgent', () => {
  it('first primary: promote registers and reserves; a replica is never registered', async () => {
    const model = new PrModel(DEVICES);
    const db1 = agentOf(model, 'db1');
    const db2 = agentOf(model, 'db2');
    await db2.start(ctx(0));
    expect(await db2.monitor(ctx(0))).toMatchObject({ code: 'ok', data: { role: 'replica' } });
    expect(model.keys('/dev/sdb')).toEqual([]);
    expect((await db1.start(ctx(1))).code).toBe('ok');
    expect((await db1.promote(ctx(1))).code).toBe('ok');
    for (const d of DEVICES) expect(model.holderKey(d)).toBe(scheme.keyOf('db1', 1));
    expect(model.canWrite('db2', '/dev/sdb')).toBe(false);
    expect(await db1.monitor(ctx(1))).toMatchObject({ code: 'ok', data: { role: 'primary' } });
  });

  it('demote with one storage host down: drops the key where it can, names the LUN it could not reach, and is ok', async () => {
    const model = new PrModel(DEVICES);
    const db1 = agentOf(model, 'db1');
    await db1.start(ctx(1));
    await db1.promote(ctx(1));
    model.setOffline('/dev/sdc', true);
    const o = await db1.demote(ctx(1));
    expect(o).toMatchObject({ code: 'ok', reason: expect.stringContaining('unreachable, skipped: /dev/sdc') });
    expect(model.keys('/dev/sdb')).toEqual([]);
  });

  it('planned switchover: the old primary demotes (drops its key), the new one promotes at the next epoch', async () => {
    const model = new PrModel(DEVICES);
    const db1 = agentOf(model, 'db1');
    const db2 = agentOf(model, 'db2');
    await db1.start(ctx(1));
    await db1.promote(ctx(1));
    expect((await db1.demote(ctx(1))).code).toBe('ok');
    expect(model.keys('/dev/sdb')).toEqual([]);
    expect(model.holderKey('/dev/sdb')).toBeUndefined();
    await db2.start(ctx(2));
    expect((await db2.promote(ctx(2))).code).toBe('ok');
    expect(model.canWrite('db1', '/dev/sdc')).toBe(false);
    expect(model.canWrite('db2', '/dev/sdc')).toBe(true);
  });

  it('promote preempts an older primary that did not demote, and refuses when a newer one holds the LUNs', async () => {
    const model = new PrModel(DEVICES);
    for (const d of DEVICES) model.register('db1', d, scheme.keyOf('db1', 4), 5);
    expect((await agentOf(model, 'db2').promote(ctx(5))).code).toBe('ok');
    expect(model.keys('/dev/sdb')).toEqual([scheme.keyOf('db2', 5)]);
    const stale = await agentOf(model, 'db1').promote(ctx(4));
    expect(stale.code).toBe('failed');
    expect(stale.reason).toMatch(/newer than epoch 4/);
  });

  it('monitor: degraded (still ok) when one LUN cannot be read; failed once the primary was preempted', async () => {
    const model = new PrModel(DEVICES);
    const db1 = agentOf(model, 'db1');
    await db1.start(ctx(1));
    await db1.promote(ctx(1));
    model.setOffline('/dev/sdc', true);
    const degraded = await db1.monitor(ctx(1));
    expect(degraded).toMatchObject({ code: 'ok', data: { role: 'primary' } });
    expect(degraded.data?.degraded).toMatch(/\/dev\/sdc/);
    model.setOffline('/dev/sdc', false);
    await new ScsiPrFencer(model.initiator('db2'), new SystemClock(), options, scheme, node('db2')).fence({ node: node('db1'), epoch: 2, reason: 't' }, ctx(2));
    const preempted = await db1.monitor(ctx(1));
    expect(preempted.code).toBe('failed');
    expect(preempted.reason).toMatch(/no longer holds the reservation/);
  });

  it('stop drops the key and monitor then says not-running', async () => {
    const model = new PrModel(DEVICES);
    const db1 = agentOf(model, 'db1');
    await db1.start(ctx(1));
    await db1.promote(ctx(1));
    expect((await db1.stop(ctx(1))).code).toBe('ok');
    expect(model.keys('/dev/sdb')).toEqual([]);
    expect((await db1.monitor(ctx(1))).code).toBe('not-running');
  });
});

describe('ScsiPrClaimAgent with LUNs given by IQN', () => {
  it('a LUN whose session is gone leaves the primary degraded, not failed', async () => {
    const model = new PrModel(['/dev/sdb', '/dev/sdc']);
    model.sessions = ISCSI_SESSIONS_P3;
    const byIqn = scsiPrOptions.parse({ devices: [{ targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a' }, { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor2:mirror-b' }] });
    const db1 = new ScsiPrClaimAgent(model.initiator('db1'), new SystemClock(), byIqn, scheme, node('db1'));
    await db1.start(ctx(1));
    expect((await db1.promote(ctx(1))).code).toBe('ok');
    // stor2's session is gone: only the first target is listed any more.
    model.sessions = ISCSI_SESSIONS_P3.slice(0, ISCSI_SESSIONS_P3.indexOf('Target: iqn.2003-01.org.linux-iscsi.stor2'));
    const result = await db1.monitor(ctx(1));
    expect(result).toMatchObject({ code: 'ok', data: { role: 'primary' } });
    expect(result.data?.degraded).toMatch(/no logged-in session shows LUN 0 of iqn.2003-01.org.linux-iscsi.stor2:mirror-b/);
  });

  it('an agent starting before any login demotes cleanly (no session: nothing it can write), and start drops a key it left behind', async () => {
    const model = new PrModel(['/dev/sdb', '/dev/sdc']);
    const byIqn = scsiPrOptions.parse({ devices: [{ targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a' }, { targetIqn: 'iqn.2003-01.org.linux-iscsi.stor2:mirror-b' }] });
    const db1 = new ScsiPrClaimAgent(model.initiator('db1'), new SystemClock(), byIqn, scheme, node('db1'));
    // A crash while primary left db1's key on both LUNs; the node boots with no sessions.
    for (const d of ['/dev/sdb', '/dev/sdc']) model.register('db1', d, scheme.keyOf('db1', 3), 3);
    model.sessions = undefined;
    const demoted = await db1.demote(ctx(0));
    expect(demoted).toMatchObject({ code: 'ok', reason: expect.stringContaining('not logged in, skipped: 2 LUN(s)') });
    // The volume logs in; the claim's start (as a replica) then drops the stale key.
    model.sessions = ISCSI_SESSIONS_P3;
    expect((await db1.start(ctx(0))).code).toBe('ok');
    expect(model.keys('/dev/sdb')).toEqual([]);
    expect(model.keys('/dev/sdc')).toEqual([]);
  });
});
