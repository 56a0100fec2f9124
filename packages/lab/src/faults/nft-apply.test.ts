import type { CommandResult, CommandRunner, CommandSpec } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { applyRuleset, deleteTable, readCounters } from './nft-apply.js';

function fakeRunner(answer: (spec: CommandSpec) => CommandResult): CommandRunner & { calls: CommandSpec[] } {
  const calls: CommandSpec[] = [];
  return {
    calls,
    run: async (spec) => {
      calls.push(spec);
      return answer(spec);
    },
    which: async () => undefined,
  };
}

const exited = (exitCode: number, stdout = '', stderr = ''): CommandResult => ({ kind: 'exited', exitCode, stdout, stderr, durationMs: 1 });
const prefix = ['ip', 'netns', 'exec', 'lab-b'];

describe('nft-apply', () => {
  it('pipes the ruleset into nft -f - through the prefix, with a timeout', async () => {
    const runner = fakeRunner(() => exited(0));
    await applyRuleset({ runner, prefix, timeoutMs: 3000 }, 'table inet t {}\n');
    expect(runner.calls).toEqual([{ file: 'ip', args: ['netns', 'exec', 'lab-b', 'nft', '-f', '-'], timeoutMs: 3000, input: 'table inet t {}\n' }]);
  });

  it('reports a rejected ruleset with nft’s own message', async () => {
    const runner = fakeRunner(() => exited(1, '', 'Error: syntax error, unexpected junk\n'));
    await expect(applyRuleset({ runner }, 'junk')).rejects.toThrow(/nft -f - failed: Error: syntax error, unexpected junk/);
  });

  it('deletes a table, and treats an already missing table as healed', async () => {
    const answers = [exited(0), exited(1, '', 'Error: Could not process rule: No such file or directory\n'), exited(1, '', 'Error: Operation not permitted\n')];
    const runner = fakeRunner(() => answers.shift()!);
    expect(await deleteTable({ runner }, 'tandem_f1')).toBe(true);
    expect(await deleteTable({ runner }, 'tandem_f1')).toBe(false);
    await expect(deleteTable({ runner }, 'tandem_f1')).rejects.toThrow(/Operation not permitted/);
    expect(runner.calls[0]).toMatchObject({ file: 'nft', args: ['delete', 'table', 'inet', 'tandem_f1'] });
    await expect(deleteTable({ runner }, 'bad;name')).rejects.toThrow(/^table must be/);
  });

  it('reads counters with a read-only nft -j list', async () => {
    const runner = fakeRunner(() => exited(0, JSON.stringify({ nftables: [{ rule: { chain: 'input', handle: 2, comment: 'tandem-rule-0', expr: [{ counter: { packets: 3, bytes: 180 } }] } }] })));
    expect(await readCounters({ runner }, 'tandem_f1')).toEqual([{ index: 0, chain: 'input', handle: 2, packets: 3, bytes: 180 }]);
    expect(runner.calls[0]).toMatchObject({ args: ['-j', 'list', 'table', 'inet', 'tandem_f1'], readOnly: true });
  });

  it('says which package to install when nft is missing, and reports a timeout', async () => {
    const missing = fakeRunner(() => ({ kind: 'not-installed', file: 'nft', debianPackage: 'nftables', message: 'nft not found' }));
    await expect(applyRuleset({ runner: missing }, '')).rejects.toMatchObject({ kind: 'preconditionFailed', problems: [{ fix: 'apt-get install nftables' }] });
    const slow = fakeRunner(() => ({ kind: 'timeout', stdout: '', stderr: '', durationMs: 10 }));
    await expect(applyRuleset({ runner: slow, timeoutMs: 10 }, '')).rejects.toMatchObject({ kind: 'timeout' });
  });
});
