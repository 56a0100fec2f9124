import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commandFailure } from '../plugins/command-step.js';
import { childEnvironment, describeCommand, scrub, sensitive, sensitiveValues, shellQuote, type CommandSpec } from './command-runner.js';
import { DryRunCommandRunner } from './dry-run-command-runner.js';

const CHAP = 's3cret-chap-pw';

describe('issue 14, row: a failing `iscsiadm … node.session.auth.password -v …`', () => {
  const spec: CommandSpec = {
    file: 'iscsiadm',
    args: ['-m', 'node', '-o', 'update', '-n', 'node.session.auth.password', '-v', sensitive(CHAP)],
    timeoutMs: 1000,
    env: { IPMI_PASSWORD: sensitive(CHAP), PGPASSWORD: CHAP, TANDEM_EPOCH: '3' },
    input: sensitive(`password=${CHAP}\n`),
  };

  it('a sensitive argv element shows as *** in the failure reason, the dry-run record and its script', async () => {
    const dry = new DryRunCommandRunner({ responder: () => ({ kind: 'exited', exitCode: 22, stdout: '', stderr: 'iscsiadm: no records found', durationMs: 0 }) });
    const result = await dry.run(spec);
    const reason = commandFailure(`${spec.file} ${spec.args.join(' ')}`, result).reason;
    expect(reason).toContain('-v ***');
    expect(commandFailure(describeCommand(spec), result).reason).toBe('iscsiadm -m node -o update -n node.session.auth.password -v *** exited 22: iscsiadm: no records found');
    const everything = [reason, dry.toScript(), JSON.stringify(dry.recorded), inspect(dry.recorded), shellQuote([spec.file, ...spec.args])].join('\n');
    expect(everything).not.toContain(CHAP);
    expect(dry.recorded[0]).toMatchObject({ args: expect.arrayContaining(['***']), env: { IPMI_PASSWORD: '***', PGPASSWORD: '***', TANDEM_EPOCH: '3' }, input: '***' });
  });

  it('what the command printed has the sensitive values scrubbed', () => {
    expect(sensitiveValues(spec)).toEqual([CHAP, CHAP, `password=${CHAP}\n`]);
    expect(scrub(`Parameter password is now '${CHAP}'.`, sensitiveValues(spec))).toBe("Parameter password is now '***'.");
  });
});

describe('issue 14, row: an agent started with `TANDEM_REDIS_PASSWORD` in its environment', () => {
  it('a child keeps only the allowlist of the agent environment, plus what the plugin asks for', () => {
    const agentEnv = { PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', HOME: '/root', TANDEM_REDIS_PASSWORD: 'redis-pw', PGPASSWORD: 'pg-pw', AWS_SECRET_ACCESS_KEY: 'k' };
    expect(childEnvironment(agentEnv, { PGPASSWORD: sensitive('mine'), TANDEM_EPOCH: '3' })).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', HOME: '/root', PGPASSWORD: 'mine', TANDEM_EPOCH: '3' });
  });
});
