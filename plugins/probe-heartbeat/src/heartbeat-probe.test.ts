import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { Clock, CommandRunner, HealthProbe, SimulatedClock, type NodeInfo } from '@tandem/core';
import manifest from './index.js';
import { confirmRoundMs, HeartbeatProbe, linkRoundMs } from './heartbeat-probe.js';
import { heartbeatProbeOptions, type HeartbeatProbeOptionsInput } from './heartbeat-options.js';
import { local, peer, pingRunner, type Answer, type Network } from './test-support/ping-answers.js';

const ctx = (timeoutMs = 2000) => ({ signal: new AbortController().signal, timeoutMs });

function probeWith(answers: Partial<Record<Network, Answer>>, options: HeartbeatProbeOptionsInput = {}, self: NodeInfo = local) {
  const runner = pingRunner(answers);
  const probe = new HeartbeatProbe(heartbeatProbeOptions.parse(options), self, runner, new SimulatedClock());
  const pinged = () => runner.recorded.map((r) => r.args.at(-1));
  return { probe, runner, pinged };
}

const A = peer.nics.privateA?.address;
const B = peer.nics.privateB?.address;
const PUB = peer.nics.public?.address;
const STO = peer.nics.storage?.address;

describe('probe-heartbeat options', () => {
  it('applies defaults: dimension heartbeat, confirm on public and storage, 2 s', () => {
    expect(heartbeatProbeOptions.parse({})).toEqual({ sourceInterfaces: {}, confirmOn: ['public', 'storage'], dimension: 'heartbeat', defaultTimeoutMs: 2000 });
  });

  it('names the option and the fix when one is wrong', () => {
    const first = (input: unknown) => heartbeatProbeOptions.safeParse(input).error?.issues[0]?.message;
    expect(first({ confirmOn: [] })).toMatch(/confirmOn needs at least one network/);
    expect(first({ confirmOn: ['privateA'] })).toMatch(/confirmOn entries must be public or storage/);
    expect(first({ confirmOn: ['public', 'public'] })).toMatch(/lists a network twice/);
    expect(first({ sourceInterfaces: { privateA: '-f' } })).toMatch(/sourceInterfaces\.privateA must be a local interface name/);
    expect(first({ defaultTimeoutMs: 100 })).toMatch(/at least 400 ms/);
    expect(heartbeatProbeOptions.safeParse({ nic: 'privateA' }).success).toBe(false);
  });
});

describe('deadline split', () => {
  it('gives the private links half, confirmation what is left minus a margin', () => {
    expect(linkRoundMs(2000)).toBe(1000);
    expect(confirmRoundMs(2000, 1000)).toBe(800);
    expect(confirmRoundMs(2000, 40)).toBe(1760);
    expect(confirmRoundMs(1000, 500)).toBe(400);
  });
});

describe('HeartbeatProbe verdicts (scripted ping)', () => {
  it('both private links answer: ok, healthy, no confirmation pings', async () => {
    const { probe, runner, pinged } = probeWith({});
    const o = await probe.check(peer, ctx());
    expect(o).toMatchObject({ code: 'ok', data: { verdict: 'healthy', links: { privateA: 'up', privateB: 'up' }, latencyMs: 0 } });
    expect(o.reason).toBe('heartbeat ok: s2 answers on privateA and privateB');
    // No `degraded` at all: its absence on an ok answer is what the core reads as restored.
    expect(o.data).not.toHaveProperty('degraded');
    expect(pinged()).toEqual([A, B]);
    // Each echo is bound to its own local NIC and waits a little less than its half of the deadline.
    expect(runner.recorded.map((r) => [r.file, ...r.args])).toEqual([
      ['ping', '-n', '-c', '1', '-W', '0.7', '-I', 'eth2', A],
      ['ping', '-n', '-c', '1', '-W', '0.7', '-I', 'eth3', B],
    ]);
    expect(runner.recorded.every((r) => r.timeoutMs === 1000)).toBe(true);
  });

  it('privateB lost: ok (not a failure), degraded, the reason names the lost link', async () => {
    const { probe, pinged } = probeWith({ privateB: 'silent' });
    const o = await probe.check(peer, ctx());
    expect(o.code).toBe('ok');
    expect(o.reason).toMatch(/^degraded heartbeat: privateB lost \(ping privateB s2 203\.0\.113\.12 via eth3: no echo reply \(0 received\)\); s2 answers on privateA$/);
    expect(o.data).toMatchObject({ verdict: 'degraded', links: { privateA: 'up', privateB: 'down' } });
    // For the core's probe.degraded event: which link, without ping's detail (that stays in the reason).
    expect(o.data?.degraded).toBe('privateB lost, heartbeat on privateA only');
    expect(pinged()).toEqual([A, B]);
  });

  it('privateA without an ARP answer, or its local NIC down, is degraded too', async () => {
    for (const kind of ['no-arp', 'local-down'] as const) {
      const o = await probeWith({ privateA: kind }).probe.check(peer, ctx());
      expect(o.code, o.reason).toBe('ok');
      expect(o.reason).toMatch(/^degraded heartbeat: privateA lost/);
      expect(o.data).toMatchObject({ verdict: 'degraded', links: { privateA: 'down', privateB: 'up' }, degraded: 'privateA lost, heartbeat on privateB only' });
    }
  });

  it('a link that gave no verdict while the other answers is still ok, degraded, marked unclear', async () => {
    const o = await probeWith({ privateA: 'timeout' }).probe.check(peer, ctx());
    expect(o).toMatchObject({ code: 'ok', data: { verdict: 'degraded', links: { privateA: 'unclear', privateB: 'up' }, degraded: 'privateA lost, heartbeat on privateB only' } });
    expect(o.reason).toMatch(/privateA lost \(ping privateA .*no result within 1000 ms\)/);
  });

  it('both private links silent, peer answers on public: failed, suspected partition', async () => {
    const { probe, runner, pinged } = probeWith({ privateA: 'silent', privateB: 'no-arp', storage: 'silent' });
    const o = await probe.check(peer, ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/^suspected partition: privateA and privateB silent, peer answers on public; s2 is alive/);
    expect(o.data).toMatchObject({ verdict: 'suspected-partition', links: { privateA: 'down', privateB: 'down' }, confirm: { public: 'up', storage: 'down' } });
    // Both links lost is a failure, not a degradation: no `degraded` for the core to report.
    expect(o.data).not.toHaveProperty('degraded');
    expect(pinged()).toEqual([A, B, PUB, STO]);
    // Confirmation pings are bound to the local public/storage NICs and get what is left of the deadline.
    expect(runner.recorded.slice(2).map((r) => [r.args[6], r.timeoutMs])).toEqual([
      ['eth0', 1800],
      ['eth1', 1800],
    ]);
  });

  it('answers on public and storage are both named', async () => {
    const o = await probeWith({ privateA: 'silent', privateB: 'silent' }).probe.check(peer, ctx());
    expect(o.reason).toMatch(/^suspected partition: privateA and privateB silent, peer answers on public and storage;/);
  });

  it('peer silent everywhere: failed, peer silent on all four networks', async () => {
    const o = await probeWith({ privateA: 'silent', privateB: 'silent', public: 'no-arp', storage: 'silent' }).probe.check(peer, ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toBe('peer silent on all four networks (privateA, privateB, public and storage): s2 looks down');
    expect(o.data).toMatchObject({ verdict: 'peer-silent', confirm: { public: 'down', storage: 'down' } });
  });

  it('with confirmOn [public] only, silence names the three networks tried', async () => {
    const { probe, pinged } = probeWith({ privateA: 'silent', privateB: 'silent', public: 'silent' }, { confirmOn: ['public'] });
    const o = await probe.check(peer, ctx());
    expect(o.reason).toBe('peer silent on privateA, privateB and public: s2 looks down');
    expect(pinged()).toEqual([A, B, PUB]);
  });

  it('a confirmation ping that times out leaves the links to decide: both down is failed, links-lost', async () => {
    const o = await probeWith({ privateA: 'silent', privateB: 'silent', public: 'timeout', storage: 'silent' }).probe.check(peer, ctx());
    expect(o.code).toBe('failed');
    expect(o.reason).toMatch(/^heartbeat lost: privateA and privateB silent; confirmation gave no verdict \(public: .*no result within 1800 ms\); storage silent too$/);
    expect(o.data).toMatchObject({ verdict: 'links-lost', confirm: { public: 'unclear', storage: 'down' } });
  });

  it('no private link answered and one gave no verdict: timeout (never a counted failure), even if the peer answers elsewhere', async () => {
    const o = await probeWith({ privateA: 'silent', privateB: 'timeout' }).probe.check(peer, ctx());
    expect(o.code).toBe('timeout');
    expect(o.reason).toMatch(/^heartbeat inconclusive: privateA down, privateB gave no verdict .*; s2 answers on public and storage$/);
    expect(o.data).toMatchObject({ verdict: 'inconclusive' });
    const odd = await probeWith({ privateA: 'garbage', privateB: 'silent', public: 'silent', storage: 'silent' }).probe.check(peer, ctx());
    expect(odd).toMatchObject({ code: 'unknown', data: { verdict: 'inconclusive' } });
  });

  it('when the private round used up the deadline, confirmation is skipped and the links decide', async () => {
    const times = [0, 1900, 1900];
    const clock = { ...new SimulatedClock(), monotonicMs: () => times.shift() ?? 1900 } as unknown as SimulatedClock;
    const runner = pingRunner({ privateA: 'silent', privateB: 'silent' });
    const o = await new HeartbeatProbe(heartbeatProbeOptions.parse({}), local, runner, clock).check(peer, ctx());
    expect(o).toMatchObject({ code: 'failed', data: { verdict: 'links-lost', confirm: { public: 'unclear', storage: 'unclear' } } });
    expect(o.reason).toMatch(/no time left to confirm \(-100 ms of 2000 ms\)/);
    expect(runner.recorded.map((r) => r.args.at(-1))).toEqual([A, B]);
  });

  it('a peer without a storage NIC is confirmed on public alone', async () => {
    const { storage: _dropped, ...nics } = peer.nics;
    const bare: NodeInfo = { name: 's2', nics };
    const runner = pingRunner({ privateA: 'silent', privateB: 'silent' }, bare);
    const probe = new HeartbeatProbe(heartbeatProbeOptions.parse({}), local, runner, new SimulatedClock());
    const o = await probe.check(bare, ctx());
    expect(o).toMatchObject({ code: 'failed', data: { verdict: 'suspected-partition', confirm: { public: 'up' } } });
    expect(runner.recorded.map((r) => r.args.at(-1))).toEqual([A, B, PUB]);
  });
});

describe('HeartbeatProbe setup problems', () => {
  it('a peer without a private NIC is config-error naming the config path, before any ping', async () => {
    const { privateB: _dropped, ...nics } = peer.nics;
    const { probe, runner } = probeWith({});
    const o = await probe.check({ name: 's2', nics }, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/nodes\.s2\.nics\.privateB/);
    expect(runner.recorded).toEqual([]);
  });

  it('a local NIC missing from the host is config-error on every check, even while the other link answers', async () => {
    const o = await probeWith({ privateB: 'no-device' }).probe.check(peer, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/privateB: .*No such device.*probe-heartbeat sends from nodes\.s1\.nics\.privateB\.name, or options\.sourceInterfaces\.privateB/);
  });

  it('uses sourceInterfaces over the config names, and the local address when the config has no name', async () => {
    const unnamed: NodeInfo = { name: 's1', nics: { ...local.nics, privateB: { name: '', address: '203.0.113.11', prefixLength: 25 } } };
    const { probe, runner } = probeWith({}, { sourceInterfaces: { privateA: 'bond0' } }, unnamed);
    await probe.check(peer, ctx());
    expect(runner.recorded.map((r) => r.args[6])).toEqual(['bond0', '203.0.113.11']);
  });

  it('a local NIC name ping would misread is config-error naming the fix', async () => {
    const odd: NodeInfo = { name: 's1', nics: { ...local.nics, privateA: { name: '_x', address: '198.51.100.139', prefixLength: 25 } } };
    const { probe, runner } = probeWith({}, {}, odd);
    const o = await probe.check(peer, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/set nodes\.s1\.nics\.privateA\.name or options\.sourceInterfaces\.privateA/);
    expect(runner.recorded).toEqual([]);
  });

  it('ping missing is not-installed with the Debian package', async () => {
    const o = await probeWith({ privateA: 'not-installed', privateB: 'not-installed' }).probe.check(peer, ctx());
    expect(o).toMatchObject({ code: 'not-installed', reason: expect.stringMatching(/apt-get install iputils-ping/) });
  });

  it('an already-aborted signal is timeout without pinging', async () => {
    const { probe, runner } = probeWith({});
    const controller = new AbortController();
    controller.abort();
    expect((await probe.check(peer, { signal: controller.signal, timeoutMs: 2000 })).code).toBe('timeout');
    expect(runner.recorded).toEqual([]);
  });

  it('declares ping, with its package, and the NIC roles it needs, for preflight', () => {
    expect(manifest.requires?.(heartbeatProbeOptions.parse({}))).toEqual([expect.objectContaining({ file: 'ping', debianPackage: 'iputils-ping' })]);
    expect(manifest.nicRoles).toEqual(['public', 'privateA', 'privateB']);
  });
});

describe('HeartbeatProbe composed from its manifest', () => {
  it('takes the local node from the instance and the ports from the parent container', async () => {
    const runner = pingRunner({ privateA: 'silent' });
    const root = new Container();
    root.bind(Clock).toConstantValue(new SimulatedClock());
    root.bind(CommandRunner).toConstantValue(runner);
    const child = new Container({ parent: root });
    child.load(manifest.module({ id: 'heartbeat', options: manifest.options.parse({}), localNode: local, nodes: [local, peer] }));
    const probe = child.get<HealthProbe>(HealthProbe);
    expect(probe.dimension).toBe('heartbeat');
    expect(probe.defaultTimeoutMs).toBe(2000);
    const o = await probe.check(peer, ctx());
    expect(o).toMatchObject({ code: 'ok', data: { verdict: 'degraded' } });
    expect(runner.recorded.map((r) => r.args[6])).toEqual(['eth2', 'eth3']);
  });
});
