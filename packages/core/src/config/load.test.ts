import { describe, expect, it } from 'vitest';
import { TandemError, ExitCode } from '../errors.js';
import { parseConfig } from './load.js';

const base = `
cluster: demo
gateway: { address: 192.0.2.1 }
nodes:
  db1:
    management: 203.0.113.11
    nics: { public: 192.0.2.11/24, storage: { name: eth1, address: 198.51.100.11 } }
  db2:
    nics: { public: 192.0.2.12/24 }
`;

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, 'test.yaml', { env });
  } catch (error) {
    expect(error).toBeInstanceOf(TandemError);
    const e = error as TandemError;
    expect(e.exitCode).toBe(ExitCode.invalidConfig);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('applies defaults and keeps them visible', () => {
    const { config } = parseConfig(base);
    expect(config.timing).toEqual({
      probeIntervalMs: 1000,
      gatewayTimeoutMs: 4000,
      leaseTtlMs: 10_000,
      leaseRenewIntervalMs: 2000,
      fenceTimeoutMs: 5000,
      storeTimeoutMs: 1000,
      actionTimeoutMs: 30_000,
    });
    expect(config.probes.confirmFailures).toBe(3);
    expect(config.store).toEqual({ type: 'embedded' });
    expect(config.nodes.db1?.nics.storage).toEqual({ name: 'eth1', address: '198.51.100.11', prefixLength: 24 });
    expect(config.nodes.db2?.nics.public).toEqual({ name: undefined, address: '192.0.2.12', prefixLength: 24 });
  });

  it('names the path and the value of a bad IPv4 address', () => {
    const text = base.replace('nics: { public: 192.0.2.12/24 }', 'nics: { public: 192.0.2.12/24, storage: "10.0.0.300" }');
    expect(problemsOf(text)).toEqual(['nodes.db2.nics.storage (line 9): "10.0.0.300" is not an IPv4 address']);
  });

  it('reports YAML syntax errors with a line, not a stack trace', () => {
    expect(problemsOf('cluster: demo\nnodes: [\n')[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('rejects a duplicate node as a duplicate key', () => {
    const text = `${base}  db1:\n    nics: { public: 192.0.2.13 }\n`;
    expect(problemsOf(text)[0]).toMatch(/line 10, column 3: a key appears twice/);
  });

  it('rejects wrong types with what was found', () => {
    const text = `${base}timing: { probeIntervalMs: "fast" }\n`;
    expect(problemsOf(text)).toEqual(['timing.probeIntervalMs (line 10): must be a number, not the string "fast"']);
  });

  it('requires the public NIC', () => {
    const text = base.replace('nics: { public: 192.0.2.12/24 }', 'nics: { storage: 198.51.100.12 }');
    expect(problemsOf(text)).toEqual(['nodes.db2.nics.public (line 9): is required']);
  });

  it('rejects an address used twice', () => {
    const text = base.replace('192.0.2.12/24', '192.0.2.11/24');
    expect(problemsOf(text)).toEqual(['nodes.db2.nics.public (line 9): address 192.0.2.11 is already used by nodes.db1.nics.public']);
  });

  it('rejects unknown keys, so typos do not pass silently', () => {
    const text = `${base}timng: {}\n`;
    expect(problemsOf(text)).toEqual(['timng (line 10): unknown key "timng"']);
  });

  it('rejects a duplicate plugin instance id', () => {
    const text = `${base}probes:\n  checks:\n    - { id: a, plugin: probe-tcp }\n    - { id: a, plugin: probe-tcp }\n`;
    expect(problemsOf(text)).toEqual(['probes.checks[1].id (line 13): id "a" is already used at probes.checks[0]']);
  });

  it('enforces the lease timing constraint', () => {
    const text = `${base}timing: { leaseTtlMs: 5000 }\n`;
    expect(problemsOf(text)[0]).toMatch(/^timing\.leaseTtlMs \(line 10\): 5000 ms is too short: it must exceed .* = 8000 ms$/);
  });

  it('refuses an inline secret and resolves a referenced one without exposing it', () => {
    expect(problemsOf(`${base}status: { token: hunter2 }\n`)[0]).toMatch(/^status\.token \(line 10\): a secret must be given by reference/);
    const { config } = parseConfig(`${base}status: { token: { env: TOKEN } }\n`, 'x', { env: { TOKEN: 's3cret-value' } });
    expect(config.status.token?.reveal()).toBe('s3cret-value');
    expect(JSON.stringify(config)).not.toContain('s3cret-value');
    expect(String(config.status.token)).toBe('<secret env:TOKEN>');
  });

  it('names the secret that cannot be read', () => {
    expect(problemsOf(`${base}status: { token: { env: NOPE } }\n`)).toEqual(['status.token (line 10): environment variable NOPE is not set']);
  });

  it('rejects an override for an instance that does not exist', () => {
    const text = base.replace('    management: 203.0.113.11\n', '    management: 203.0.113.11\n    overrides: { ghost: { timeoutMs: 5 } }\n');
    expect(problemsOf(text)).toEqual(['nodes.db1.overrides.ghost (line 7): no plugin instance has id "ghost"']);
  });

  it('reports every problem at once', () => {
    const text = base.replace('192.0.2.12/24', '300.1.1.1').replace('203.0.113.11', 'bmc');
    expect(problemsOf(text)).toHaveLength(2);
  });
});
