import { describe, expect, it } from 'vitest';
import { parseHostList, parseWorkloadArgs } from './workload-args.js';

describe('parseWorkloadArgs', () => {
  it('applies the defaults and takes the password from PGPASSWORD', () => {
    const o = parseWorkloadArgs(['--target', '192.0.2.100:5432', '--out', '/tmp/w.jsonl', '--user', 'tandem'], { PGPASSWORD: 'pw' });
    expect(o).toMatchObject({
      target: { host: '192.0.2.100', port: 5432, user: 'tandem', database: 'postgres', password: 'pw' },
      writer: 'w1',
      intervalMs: 50,
      pollMs: 100,
      attemptTimeoutMs: 2000,
      durationMs: undefined,
      hosts: [],
    });
  });

  it('parses the polled hosts', () => {
    expect(parseHostList('a=198.51.100.1:5432,b=198.51.100.2:5433')).toEqual([
      { name: 'a', host: '198.51.100.1', port: 5432 },
      { name: 'b', host: '198.51.100.2', port: 5433 },
    ]);
  });

  it('rejects a missing target, a bad address and a bad number', () => {
    expect(() => parseWorkloadArgs(['--out', 'x'], {})).toThrow(/--target/);
    expect(() => parseWorkloadArgs(['--target', 'nohost', '--out', 'x'], {})).toThrow(/not host:port/);
    expect(() => parseWorkloadArgs(['--target', 'h:1', '--out', 'x', '--interval-ms', '-5'], {})).toThrow(/--interval-ms/);
    expect(() => parseHostList('a:1')).toThrow(/name=addr:port/);
  });
});
