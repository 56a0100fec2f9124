import { SimulatedClock, SystemClock, type NodeInfo, type ResourceCallContext } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { FakeHostRunner, type FakeHostOptions } from './testing/fake-host-runner.js';
import { VipAgent } from './vip-agent.js';
import { vipOptions } from './vip-options.js';

const node = (nicName = 'eth0'): NodeInfo => ({ name: 's1', nics: { public: { name: nicName, address: '192.0.2.11', prefixLength: 24 } } });
const ctx = (timeoutMs = 5000): ResourceCallContext => ({ signal: new AbortController().signal, timeoutMs, epoch: 1 });

function agentOn(host: FakeHostOptions = {}, options: Record<string, unknown> = {}, nodeInfo = node()): { agent: VipAgent; runner: FakeHostRunner } {
  const runner = new FakeHostRunner(host);
  const parsed = vipOptions.parse({ address: '192.0.2.10/24', garp: { count: 1 }, ...options });
  return { agent: new VipAgent(parsed, nodeInfo, runner, new SystemClock()), runner };
}

describe('VipAgent start', () => {
  it('probes for an owner, adds the address with its label, then announces it in both forms', async () => {
    const { agent, runner } = agentOn();
    const o = await agent.start(ctx());
    expect(o).toMatchObject({ code: 'ok', reason: expect.stringContaining('added on eth0 (label eth0:vip)') });
    expect(runner.lines()).toEqual([
      'ip -j addr show',
      'arping --help',
      'arping -0 -c 2 -W 0.5 -w 1 -i eth0 192.0.2.10',
      'ip addr add 192.0.2.10/24 dev eth0 label eth0:vip',
      'arping -U -S 192.0.2.10 -c 1 -w 0.05 -i eth0 192.0.2.10',
      'arping -U -P -S 192.0.2.10 -c 1 -w 0.05 -i eth0 192.0.2.10',
    ]);
    expect(runner.recorded.every((s) => s.timeoutMs > 0 && s.signal !== undefined)).toBe(true);
    expect(runner.addresses).toContainEqual({ ifname: 'eth0', cidr: '192.0.2.10/24', label: 'eth0:vip' });
  });

  it('refuses to add a duplicate when another MAC answers, and names that MAC', async () => {
    const { agent, runner } = agentOn({ ownerMac: 'a2:c5:1c:59:1b:97' });
    const o = await agent.start(ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toContain('MAC a2:c5:1c:59:1b:97');
    expect(runner.lines().some((l) => l.startsWith('ip addr add'))).toBe(false);
  });

  it('does not add the address when the probe itself failed', async () => {
    const { agent, runner } = agentOn({}, { interface: 'nope0' });
    const o = await agent.start(ctx());
    expect(o.code).toBe('failed');
    expect(runner.lines().some((l) => l.startsWith('ip addr add'))).toBe(false);
  });

  it('is ok and re-announces when the address is already there, without probing', async () => {
    const { agent, runner } = agentOn({ addresses: [{ ifname: 'eth0', cidr: '192.0.2.11/24' }, { ifname: 'eth0', cidr: '192.0.2.10/24' }] });
    expect((await agent.start(ctx())).reason).toMatch(/already on eth0; re-announced/);
    expect(runner.lines().filter((l) => l.startsWith('arping -0'))).toEqual([]);
    expect(runner.lines().filter((l) => l.startsWith('arping -U'))).toHaveLength(2);
  });

  it('fails, touching nothing, when the address is on another interface', async () => {
    const { agent, runner } = agentOn({ addresses: [{ ifname: 'eth1', cidr: '192.0.2.10/24' }] });
    expect(await agent.start(ctx())).toMatchObject({ code: 'failed', reason: expect.stringContaining('192.0.2.10 is on eth1, not on eth0') });
    expect(runner.lines()).toEqual(['ip -j addr show']);
  });

  it('finds the interface by the node address when the config gives no name', async () => {
    const { agent, runner } = agentOn({ interfaces: ['lo', 'ens3'], addresses: [{ ifname: 'ens3', cidr: '192.0.2.11/24' }] }, {}, node(''));
    expect((await agent.start(ctx())).code).toBe('ok');
    expect(runner.lines()).toContain('ip addr add 192.0.2.10/24 dev ens3 label ens3:vip');
  });

  it('reports not-installed with the Debian package when arping is missing', async () => {
    const { agent } = agentOn({ noArping: true });
    expect(await agent.start(ctx())).toMatchObject({ code: 'not-installed', reason: expect.stringContaining('apt-get install arping') });
  });

  it('says config-error for a missing NIC role, an unknown node address, or a label that does not fit', async () => {
    expect((await agentOn({}, { nic: 'storage' }).agent.start(ctx())).reason).toMatch(/node s1 has no nics\.storage/);
    const lost = await agentOn({ addresses: [] }, {}, node('')).agent.start(ctx());
    expect(lost).toMatchObject({ code: 'config-error', reason: expect.stringContaining('no interface on this host has 192.0.2.11') });
    const long = await agentOn({ interfaces: ['enp0s31f6np0'] }, { interface: 'enp0s31f6np0' }).agent.start(ctx());
    expect(long).toMatchObject({ code: 'config-error', reason: expect.stringContaining('longer than 15') });
    expect((await agentOn({}, { label: 'eth1:vip' }).agent.monitor(ctx())).code).toBe('config-error');
  });

  it('takes the address back off when the deadline passes while it is being added', async () => {
    const controller = new AbortController();
    const runner = new FakeHostRunner();
    const original = runner.run.bind(runner);
    runner.run = async (spec) => {
      const result = await original(spec);
      if (spec.args[1] === 'add') controller.abort();
      return result;
    };
    const agent = new VipAgent(vipOptions.parse({ address: '192.0.2.10/24' }), node(), runner, new SystemClock());
    expect((await agent.start({ signal: controller.signal, timeoutMs: 5000, epoch: 1 })).code).toBe('timeout');
    expect(runner.addresses.map((a) => a.cidr)).toEqual(['192.0.2.11/24']);
  });
});

describe('VipAgent gratuitous ARP burst', () => {
  it('sends the remaining rounds in the background, intervalMs apart on the clock', async () => {
    const clock = new SimulatedClock();
    const runner = new FakeHostRunner();
    const agent = new VipAgent(vipOptions.parse({ address: '192.0.2.10/24', garp: { count: 3, intervalMs: 200 } }), node(), runner, clock);
    expect((await agent.start(ctx())).code).toBe('ok');
    const garps = (): number => runner.lines().filter((l) => l.startsWith('arping -U')).length;
    expect(garps()).toBe(2);
    await clock.advance(200);
    await expect.poll(garps).toBe(4);
    await clock.advance(200);
    await expect.poll(garps).toBe(6);
    await agent.announcementsSettled();
    await clock.advance(1000);
    expect(garps()).toBe(6);
  });

  it('stop cancels the rest of the burst', async () => {
    const clock = new SimulatedClock();
    const runner = new FakeHostRunner();
    const agent = new VipAgent(vipOptions.parse({ address: '192.0.2.10/24', garp: { count: 10, intervalMs: 200 } }), node(), runner, clock);
    await agent.start(ctx());
    expect((await agent.stop(ctx())).code).toBe('ok');
    await clock.advance(5000);
    expect(runner.lines().filter((l) => l.startsWith('arping -U'))).toHaveLength(2);
  });
});

describe('VipAgent stop and monitor', () => {
  it('monitor: ok with role none when present once, not-running when absent', async () => {
    const { agent } = agentOn();
    expect((await agent.monitor(ctx())).code).toBe('not-running');
    await agent.start(ctx());
    expect(await agent.monitor(ctx())).toMatchObject({ code: 'ok', data: { role: 'none' } });
  });

  it('monitor: failed when the address is on the wrong interface or there twice', async () => {
    const wrong = agentOn({ addresses: [{ ifname: 'eth1', cidr: '192.0.2.10/24' }] }).agent;
    expect(await wrong.monitor(ctx())).toMatchObject({ code: 'failed', reason: '192.0.2.10 is on eth1, not on eth0' });
    const twice = agentOn({ addresses: [{ ifname: 'eth0', cidr: '192.0.2.10/24' }, { ifname: 'eth1', cidr: '192.0.2.10/24' }] }).agent;
    expect(await twice.monitor(ctx())).toMatchObject({ code: 'failed', reason: expect.stringContaining('2 times') });
  });

  it('stop removes every copy of the address, and is ok when there is none', async () => {
    const { agent, runner } = agentOn({ addresses: [{ ifname: 'eth0', cidr: '192.0.2.10/24' }, { ifname: 'eth1', cidr: '192.0.2.10/32' }] });
    expect((await agent.stop(ctx())).code).toBe('ok');
    expect(runner.lines()).toContain('ip addr del 192.0.2.10/24 dev eth0');
    expect(runner.lines()).toContain('ip addr del 192.0.2.10/32 dev eth1');
    expect(runner.addresses).toEqual([]);
    expect(await agent.stop(ctx())).toMatchObject({ code: 'ok', reason: 'VIP 192.0.2.10 is not on this host' });
  });
});
