import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, formatProblem, type Problem } from '@tandem/core';
import { CliSandbox, builtInPlugins, ensureBuilt, repoRoot } from './cli-support.js';

const examplesDir = join(repoRoot, 'examples');
const fixturesDir = join(repoRoot, 'test/config-fixtures');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();
const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.yaml')).sort();

interface ErrorBody {
  error: { kind: string; exitCode: number; message: string; problems: Problem[] };
}

/**
 * Each fixture says what it expects in its header: `# expect-exit: N` and
 * `# expect: <problem line>`; a line ending in `...` must match as a prefix
 * (for lists that grow, like the available plugins).
 */
function expectationsOf(file: string): { exit: number; problem: string } {
  const text = readFileSync(join(fixturesDir, file), 'utf8');
  const exit = /^# expect-exit: (\d+)$/m.exec(text)?.[1];
  const problem = /^# expect: (.+)$/m.exec(text)?.[1];
  if (exit === undefined || problem === undefined) throw new Error(`${file} lacks "# expect-exit:" or "# expect:" header lines`);
  return { exit: Number(exit), problem };
}

let cli: CliSandbox;
beforeAll(() => {
  ensureBuilt();
  cli = new CliSandbox();
});
afterAll(() => cli?.cleanup());

describe('tandem config validate: examples', () => {
  it('has examples to validate', () => {
    expect(examples).toContain('demo.yaml');
  });

  it.each(examples)('examples/%s is valid (human output)', (file) => {
    const r = cli.run(['config', 'validate', join('examples', file), '--skip-secrets']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: cluster [a-z0-9-]+, \d+ nodes?, \d+ plugin instances?\n$/);
  });

  it.each(examples)('examples/%s is valid (--json)', (file) => {
    const { code, body } = cli.json<{ valid: boolean; cluster: string; nodes: string[]; instances: { id: string; plugin: string; configPath: string }[] }>(['config', 'validate', join('examples', file), '--skip-secrets']);
    expect(code).toBe(0);
    expect(body.valid).toBe(true);
    expect(body.nodes.length).toBeGreaterThan(0);
    for (const i of body.instances) expect(i.configPath).toMatch(/^(probes\.checks|fencing\.levels|transports|recovery|resources)\[/);
  });

  it('demo.yaml: 3 loopback nodes using probe-tcp, fence-exec and resource-process, secrets read for real', () => {
    const { code, body } = cli.json<{ cluster: string; nodes: string[]; instances: { plugin: string; configPath: string }[] }>(['config', 'validate', 'examples/demo.yaml']);
    expect(code).toBe(0);
    expect(body.nodes).toEqual(['n1', 'n2', 'n3']);
    const plugins = new Set(body.instances.map((i) => i.plugin));
    expect([...plugins].sort()).toEqual(expect.arrayContaining(['fence-exec', 'probe-tcp', 'resource-process']));
  });

  it('takes the file from $TANDEM_CONFIG when no FILE is given', () => {
    const { code, body } = cli.json<{ file: string }>(['config', 'validate'], { TANDEM_CONFIG: 'examples/demo.yaml' });
    expect(code).toBe(0);
    expect(body.file).toBe('examples/demo.yaml');
  });

  it('a missing file is exit 3 and says so', () => {
    const r = cli.run(['config', 'validate', 'no/such/tandem.yaml']);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('cannot read config file no/such/tandem.yaml');
    expect(r.stderr).toContain('no such file');
  });
});

describe('tandem config validate: plugin secrets (issue 14, item 7)', () => {
  const fixture = 'test/config-fixtures/missing-plugin-secret.yaml';
  const dir = mkdtempSync(join(tmpdir(), 'tandem-validate-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves plugin secrets as the agent would; a missing one is exit 3 and the message names --skip-secrets', () => {
    const r = cli.run(['config', 'validate', fixture]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('1 plugin secret cannot be read; on a host without the secrets (a workstation, CI), check the rest with --skip-secrets');
    expect(cli.run(['config', 'validate', fixture], { TANDEM_FIXTURE_UNSET_IPMI_PASSWORD: 'set-here' }).code).toBe(0);
    expect(cli.run(['config', 'validate', fixture, '--skip-secrets']).code).toBe(0);
  });

  it('a secret file readable by others is a warning; with strictSecrets: true, exit 3', () => {
    const secret = join(dir, 'ipmi-password');
    writeFileSync(secret, 'pw\n', { mode: 0o644 });
    chmodSync(secret, 0o644);
    const text = readFileSync(join(repoRoot, fixture), 'utf8').replace('{ env: TANDEM_FIXTURE_UNSET_IPMI_PASSWORD }', `{ file: ${secret} }`);
    const loose = join(dir, 'loose.yaml');
    const strict = join(dir, 'strict.yaml');
    writeFileSync(loose, text);
    writeFileSync(strict, text.replace('cluster: broken', 'cluster: broken\nstrictSecrets: true'));
    const warned = cli.run(['config', 'validate', loose]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`warning: fencing.levels[0][0].options.password: secret file ${secret} is readable by group or others (mode 0644)`);
    const refused = cli.run(['config', 'validate', strict]);
    expect(refused.code).toBe(ExitCode.invalidConfig);
    expect(refused.stderr).toContain(`(fix: chmod 600 ${secret})`);
  });
});

describe('examples/tandem-agent.service', () => {
  const unit = readFileSync(join(examplesDir, 'tandem-agent.service'), 'utf8');

  it('starts the agent for this host, restarts on failure, but not on config errors', () => {
    expect(unit).toMatch(/^ExecStart=\S*tandem agent start --config \S+\.yaml --node %H$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    const noRestart = /^RestartPreventExitStatus=(.+)$/m.exec(unit)?.[1]?.split(/\s+/).map(Number) ?? [];
    expect(noRestart).toEqual(expect.arrayContaining([ExitCode.usage, ExitCode.invalidConfig, ExitCode.pluginError]));
  });

  it('holds no secret inline: only a reference to an EnvironmentFile', () => {
    expect(unit).not.toMatch(/^Environment=/m);
    expect(unit).toMatch(/^EnvironmentFile=-?\/etc\/tandem\/\S+$/m);
  });
});

describe('tandem config validate: broken fixtures', () => {
  it('has one fixture per kind of mistake', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(11);
  });

  it.each(fixtures)('%s: exit code and the exact problem line on stderr, no stack trace', (file) => {
    const want = expectationsOf(file);
    const r = cli.run(['config', 'validate', join('test/config-fixtures', file)]);
    expect(r.code).toBe(want.exit);
    expect([ExitCode.invalidConfig, ExitCode.pluginError]).toContain(r.code);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((line) => matches(line, `  - ${want.problem}`))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(fixtures)('%s: --json error with kind, exit code and exactly that one problem', (file) => {
    const want = expectationsOf(file);
    const { code, body } = cli.json<ErrorBody>(['config', 'validate', join('test/config-fixtures', file)]);
    expect(code).toBe(want.exit);
    expect(body.error.exitCode).toBe(want.exit);
    expect(ExitCode[body.error.kind as keyof typeof ExitCode]).toBe(want.exit);
    expect(body.error.problems).toHaveLength(1);
    expect(matches(formatProblem(body.error.problems[0] as Problem), want.problem)).toBe(true);
  });

  it('an unknown plugin\'s problem lists the plugins that are available', () => {
    const { body } = cli.json<ErrorBody>(['config', 'validate', 'test/config-fixtures/unknown-plugin.yaml']);
    const fix = body.error.problems[0]?.fix ?? '';
    for (const id of builtInPlugins) expect(fix).toContain(id);
  });
});

function matches(actual: string, expected: string): boolean {
  return expected.endsWith('...') ? actual.startsWith(expected.slice(0, -3)) : actual === expected;
}

describe('tandem config explain', () => {
  const secretValue = 'pa55-Never-Print-Me-7f3a9';

  function secretConfig(): string {
    const file = join(cli.dir, 'with-secrets.yaml');
    const demo = readFileSync(join(examplesDir, 'demo.yaml'), 'utf8').replace(/^store:[\s\S]*?(?=^\S)/m, '');
    writeFileSync(file, `${demo}\nstore:\n  type: redis\n  password: { env: TANDEM_TEST_REDIS_PASSWORD }\n`);
    return file;
  }

  it('masks a resolved secret: the value never appears, *** does (YAML and JSON)', () => {
    const file = secretConfig();
    const env = { TANDEM_TEST_REDIS_PASSWORD: secretValue };
    const yaml = cli.run(['config', 'explain', file], env);
    expect(yaml.stderr).toBe('');
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).not.toContain(secretValue);
    expect(yaml.stdout).toContain('***');
    expect(yaml.stdout).toContain('TANDEM_TEST_REDIS_PASSWORD');
    const json = cli.json<{ store: { password: unknown } }>(['config', 'explain', file], env);
    expect(json.code).toBe(0);
    expect(JSON.stringify(json.body)).not.toContain(secretValue);
    expect(json.body.store.password).toEqual({ env: 'TANDEM_TEST_REDIS_PASSWORD', value: '***' });
  });

  it('fails with exit 3 at the secret path when the variable is not set', () => {
    const r = cli.run(['config', 'explain', secretConfig()]);
    expect(r.code).toBe(ExitCode.invalidConfig);
    expect(r.stderr).toContain('store.password');
    expect(r.stderr).toContain('environment variable TANDEM_TEST_REDIS_PASSWORD is not set');
  });

  it('writes out schema defaults and plugin defaults', () => {
    const { code, body } = cli.json<{ timing: Record<string, number>; store: { type: string }; probes: { confirmFailures: number; checks: { options: Record<string, unknown> }[] } }>(['config', 'explain', 'examples/demo.yaml']);
    expect(code).toBe(0);
    expect(body.timing['actionTimeoutMs']).toBe(30_000);
    expect(body.store.type).toBe('embedded');
    expect(body.probes.confirmFailures).toBeGreaterThan(0);
    const raw = readFileSync(join(examplesDir, 'demo.yaml'), 'utf8');
    // Some option key that the demo leaves out must now be present with the plugin's default.
    const shown = body.probes.checks.flatMap((c) => Object.keys(c.options));
    expect(shown.some((key) => !new RegExp(`\\b${key}:`).test(raw))).toBe(true);
  });

  it('--node applies that node\'s overrides; an unknown node is a usage error', () => {
    const shared = cli.json<{ resources: { id: string; options: Record<string, unknown>; timeoutMs?: number }[] }>(['config', 'explain', 'examples/demo.yaml']);
    const n2 = cli.json<{ resources: { id: string; options: Record<string, unknown>; timeoutMs?: number }[] }>(['config', 'explain', 'examples/demo.yaml', '--node', 'n2']);
    expect(shared.code).toBe(0);
    expect(n2.code).toBe(0);
    expect(n2.body.resources).not.toEqual(shared.body.resources);
    const bad = cli.json<ErrorBody>(['config', 'explain', 'examples/demo.yaml', '--node', 'nope']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.body.error.kind).toBe('usage');
    expect(bad.body.error.message).toContain('node "nope" is not in the config');
  });
});

describe('tandem config schema', () => {
  it('prints a JSON Schema with properties.nodes, in both modes', () => {
    const r = cli.run(['config', 'schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[] };
    expect(schema.properties).toHaveProperty('nodes');
    expect(schema.required).toEqual(expect.arrayContaining(['cluster', 'nodes']));
    const json = cli.json<{ properties: Record<string, unknown> }>(['config', 'schema']);
    expect(json.code).toBe(0);
    expect(json.body).toEqual(schema);
  });
});
