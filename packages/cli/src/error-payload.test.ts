import { Errors } from '@oclif/core';
import { ExitCode, TandemError } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { classifyError, renderError } from './error-payload.js';

describe('classifyError', () => {
  it('keeps a TandemError\'s kind, exit code and problems, without a stack', () => {
    const error = new TandemError('invalidConfig', 'x.yaml: 1 problem', { problems: [{ path: 'timing.leaseTtlMs', message: 'too short', fix: 'raise it' }] });
    const { payload, stack } = classifyError(error);
    expect(payload).toEqual({ kind: 'invalidConfig', exitCode: 3, message: 'x.yaml: 1 problem', problems: [{ path: 'timing.leaseTtlMs', message: 'too short', fix: 'raise it' }] });
    expect(stack).toBeUndefined();
  });

  it('treats oclif parse errors as usage (exit 2)', () => {
    const { payload } = classifyError(new Errors.CLIError('Nonexistent flag: --x'));
    expect(payload).toMatchObject({ kind: 'usage', exitCode: ExitCode.usage, message: 'Nonexistent flag: --x' });
  });

  it('maps another oclif exit number back to its kind', () => {
    expect(classifyError(new Errors.CLIError('late', { exit: 8 })).payload.kind).toBe('timeout');
    expect(classifyError(new Errors.CLIError('odd', { exit: 42 })).payload).toMatchObject({ kind: 'failed', exitCode: 42 });
  });

  it('turns anything else into failed (exit 1), keeping the stack for --log-level debug', () => {
    const { payload, stack } = classifyError(new TypeError('x is undefined'));
    expect(payload).toEqual({ kind: 'failed', exitCode: 1, message: 'x is undefined', problems: [] });
    expect(stack).toContain('TypeError: x is undefined');
    expect(classifyError('a string').payload.message).toBe('a string');
  });
});

describe('renderError', () => {
  it('prints the message, then one line per problem with its fix', () => {
    const text = renderError({
      kind: 'pluginError',
      exitCode: 4,
      message: 'plugin configuration has 2 problem(s)',
      problems: [
        { path: 'probes.checks[0].options.port', message: 'is required', fix: 'add it' },
        { path: '', message: 'no plugins' },
      ],
    });
    expect(text.split('\n')).toEqual([
      'Error: plugin configuration has 2 problem(s)',
      '  - probes.checks[0].options.port: is required (fix: add it)',
      '  - (top level): no plugins',
    ]);
  });
});
