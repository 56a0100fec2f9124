import { parseArgs } from 'node:util';
import type { DelayProxyOptions } from './delay-proxy.js';

export const DELAY_PROXY_USAGE =
  'usage: delay-proxy-main --listen host:port --target host:port --delay-ms N [--jitter-ms N] [--loss-percent P] [--retransmit-ms N] [--seed N]';

/** Parse the process wrapper's flags; throws an Error naming the bad flag. */
export function parseDelayProxyArgs(argv: readonly string[]): DelayProxyOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      listen: { type: 'string' },
      target: { type: 'string' },
      'delay-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'loss-percent': { type: 'string' },
      'retransmit-ms': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const listen = hostPort('--listen', values.listen);
  const target = hostPort('--target', values.target);
  if (target.port === 0) throw new Error('--target needs a port from 1 to 65535');
  return {
    listenHost: listen.host,
    listenPort: listen.port,
    targetHost: target.host,
    targetPort: target.port,
    delayMs: number('--delay-ms', values['delay-ms'] ?? required('--delay-ms')),
    jitterMs: optionalNumber('--jitter-ms', values['jitter-ms']),
    lossPercent: optionalNumber('--loss-percent', values['loss-percent']),
    retransmitMs: optionalNumber('--retransmit-ms', values['retransmit-ms']),
    seed: optionalNumber('--seed', values.seed),
  };
}

function required(flag: string): never {
  throw new Error(`${flag} is required; ${DELAY_PROXY_USAGE}`);
}

/** host:port, with [v6]:port accepted for IPv6 literals. */
function hostPort(flag: string, value: string | undefined): { host: string; port: number } {
  if (value === undefined) required(flag);
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new Error(`${flag} must be host:port (port 0-65535), got ${JSON.stringify(value)}`);
  }
  return { host, port };
}

function number(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`${flag} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : number(flag, value);
}
