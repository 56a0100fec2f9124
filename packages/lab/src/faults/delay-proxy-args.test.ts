import { describe, expect, it } from 'vitest';
import { parseDelayProxyArgs } from './delay-proxy-args.js';

describe('parseDelayProxyArgs', () => {
  it('reads every flag', () => {
    expect(
      parseDelayProxyArgs(['--listen', '0.0.0.0:0', '--target', '198.51.100.2:5432', '--delay-ms', '50', '--jitter-ms', '5', '--loss-percent', '1.5', '--retransmit-ms', '300', '--seed', '7']),
    ).toEqual({ listenHost: '0.0.0.0', listenPort: 0, targetHost: '198.51.100.2', targetPort: 5432, delayMs: 50, jitterMs: 5, lossPercent: 1.5, retransmitMs: 300, seed: 7 });
    expect(parseDelayProxyArgs(['--listen', '[::1]:9000', '--target', 'localhost:1', '--delay-ms', '0'])).toMatchObject({ listenHost: '::1', targetHost: 'localhost', jitterMs: undefined });
  });

  it('names the flag that is missing or wrong', () => {
    expect(() => parseDelayProxyArgs(['--target', 'h:1', '--delay-ms', '1'])).toThrow(/--listen is required/);
    expect(() => parseDelayProxyArgs(['--listen', 'h:1', '--target', 'h:1'])).toThrow(/--delay-ms is required/);
    expect(() => parseDelayProxyArgs(['--listen', 'h', '--target', 'h:1', '--delay-ms', '1'])).toThrow(/--listen must be host:port/);
    expect(() => parseDelayProxyArgs(['--listen', 'h:1', '--target', 'h:0', '--delay-ms', '1'])).toThrow(/--target needs a port/);
    expect(() => parseDelayProxyArgs(['--listen', 'h:1', '--target', 'h:70000', '--delay-ms', '1'])).toThrow(/--target must be host:port/);
    expect(() => parseDelayProxyArgs(['--listen', 'h:1', '--target', 'h:1', '--delay-ms', 'soon'])).toThrow(/--delay-ms must be a non-negative number/);
    expect(() => parseDelayProxyArgs(['--listen', 'h:1', '--target', 'h:1', '--delay-ms', '1', '--bogus'])).toThrow(/bogus/);
  });
});
