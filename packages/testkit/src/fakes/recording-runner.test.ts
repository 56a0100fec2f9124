import { describe, expect, it } from 'vitest';
import { answer, recordingRunner } from './recording-runner.js';

describe('recordingRunner', () => {
  it('answers by program and argument prefix, records every command, and exits 0 otherwise', async () => {
    const runner = recordingRunner([
      { program: 'ipmitool', argsPrefix: ['chassis', 'power', 'status'], result: answer.exit(0, 'Chassis Power is off') },
      { program: 'ipmitool', result: answer.exit(1, '', 'unauthorized') },
    ]);
    const status = await runner.run({ file: '/usr/bin/ipmitool', args: ['chassis', 'power', 'status'], timeoutMs: 1000 });
    const other = await runner.run({ file: 'ipmitool', args: ['chassis', 'power', 'off'], timeoutMs: 1000 });
    const unmatched = await runner.run({ file: 'true', args: [], timeoutMs: 1000 });
    expect(status).toMatchObject({ kind: 'exited', exitCode: 0, stdout: 'Chassis Power is off' });
    expect(other).toMatchObject({ kind: 'exited', exitCode: 1, stderr: 'unauthorized' });
    expect(unmatched).toMatchObject({ kind: 'exited', exitCode: 0 });
    expect(runner.recorded.map((c) => c.args.join(' '))).toEqual(['chassis power status', 'chassis power off', '']);
  });

  it('reports programs as missing when told', async () => {
    const runner = recordingRunner([], (file) => file !== 'sg_persist');
    expect(await runner.which('sg_persist')).toBeUndefined();
    expect(await runner.which('ip')).toBe('/usr/bin/ip');
  });
});
