import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { CommandRunner, ExecaCommandRunner, Fencer, type NodeInfo } from '@tandem/core';
import { answer, recordingRunner } from '@tandem/testkit';
import manifest from './index.js';
import { ExecFencer } from './exec-fencer.js';
import { execFencerOptions } from './exec-fencer-options.js';

const ctx = () => ({ signal: new AbortController().signal, timeoutMs: 4000 });
const db1: NodeInfo = { name: 'db1', management: '198.51.100.11', nics: { public: { name: 'eth0', address: '192.0.2.11', prefixLength: 24 } } };
const ipmi = {
  fence: ['ipmitool', '-H', '{management}', 'chassis', 'power', 'off'],
  status: ['/usr/local/sbin/is-off', '{node}', '{address}', '{epoch}'],
};

describe('fence-exec', () => {
  it('fills placeholders, runs fence then status, and proves the request epoch', async () => {
    const runner = recordingRunner([{ program: 'is-off', result: answer.exit(0, 'Chassis Power is off') }]);
    const o = await new ExecFencer(execFencerOptions.parse(ipmi), runner).fence({ node: db1, epoch: 12, reason: 'test' }, ctx());
    expect(o).toMatchObject({ code: 'ok', data: { epoch: 12 } });
    expect(o.data?.verified).toMatch(/Chassis Power is off/);
    expect(runner.recorded.map((c) => [c.file, ...c.args])).toEqual([
      ['ipmitool', '-H', '198.51.100.11', 'chassis', 'power', 'off'],
      ['/usr/local/sbin/is-off', 'db1', '192.0.2.11', '12'],
    ]);
    expect(runner.recorded.every((c) => c.timeoutMs === 4000)).toBe(true);
  });

  it('is failed when the fence command exits 0 but status says not fenced', async () => {
    const runner = recordingRunner([{ program: 'is-off', result: answer.exit(1, 'Chassis Power is on') }]);
    const o = await new ExecFencer(execFencerOptions.parse(ipmi), runner).fence({ node: db1, epoch: 3, reason: 'test' }, ctx());
    expect(o.code).toBe('failed');
    expect(o.data).toBeUndefined();
  });

  it('maps status exit codes: 0 fenced, 1 not fenced, other unknown', async () => {
    for (const [exitCode, code, fenced] of [[0, 'ok', true], [1, 'ok', false], [2, 'unknown', undefined]] as const) {
      const runner = recordingRunner([{ program: 'is-off', result: answer.exit(exitCode) }]);
      const o = await new ExecFencer(execFencerOptions.parse(ipmi), runner).status(db1, ctx());
      expect(o.code).toBe(code);
      expect(o.data?.fenced).toBe(fenced);
    }
  });

  it('is config-error when a placeholder has no value for the node', async () => {
    const noBmc: NodeInfo = { name: 'db2', nics: db1.nics };
    const runner = recordingRunner();
    const o = await new ExecFencer(execFencerOptions.parse(ipmi), runner).fence({ node: noBmc, epoch: 1, reason: 'test' }, ctx());
    expect(o.code).toBe('config-error');
    expect(o.reason).toMatch(/nodes\.db2\.management/);
    expect(runner.recorded).toEqual([]);
  });

  it('is not-installed with the Debian package when the real program is missing', async () => {
    const options = execFencerOptions.parse({ fence: ['/nonexistent/fence_ipmilan', '{node}'], status: ['/nonexistent/fence_ipmilan', '-o', 'status'] });
    const o = await new ExecFencer(options, new ExecaCommandRunner()).fence({ node: db1, epoch: 1, reason: 'test' }, ctx());
    expect(o.code).toBe('not-installed');
    expect(o.reason).toMatch(/apt-get install fence-agents/);
  });

  it('rejects unknown placeholders and declares the programs it needs', () => {
    const bad = execFencerOptions.safeParse({ fence: ['x', '{host}'], status: ['y'] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/unknown placeholder \{host\}/);
    const required = manifest.requires?.(execFencerOptions.parse({ ...ipmi, unfence: ['ipmitool', 'chassis', 'power', 'on'] }));
    expect(required).toEqual([
      { file: 'ipmitool', why: 'fence-exec fence command, unfence', debianPackage: 'ipmitool' },
      { file: '/usr/local/sbin/is-off', why: 'fence-exec status command' },
    ]);
  });

  it('has unfence only when configured, and composes from its manifest', () => {
    expect(new ExecFencer(execFencerOptions.parse(ipmi), recordingRunner()).unfence).toBeUndefined();
    const root = new Container();
    root.bind(CommandRunner).toConstantValue(recordingRunner());
    const child = new Container({ parent: root });
    const options = manifest.options.parse({ ...ipmi, unfence: ['true'] });
    child.load(manifest.module({ id: 'bmc', options, localNode: db1, nodes: [db1] }));
    const fencer = child.get<Fencer>(Fencer);
    expect(fencer).toBeInstanceOf(ExecFencer);
    expect(typeof fencer.unfence).toBe('function');
  });
});
