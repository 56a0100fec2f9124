import { connect, type Socket } from 'node:net';
import { ok, outcome, type CallContext, type Clock, type HealthProbe, type NodeInfo, type Outcome, type ProbeData } from '@tandem/core';
import type { TcpProbeOptions } from './tcp-probe-options.js';

/** Connection errors that mean "the target answered and refused" or "there is no route": the target is unhealthy. */
const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/**
 * Is a TCP port accepting connections? A completed handshake is healthy;
 * nothing is sent. The caller's signal ends a connect that hangs (a frozen
 * host drops SYNs), and the socket is destroyed on every path.
 */
export class TcpProbe implements HealthProbe {
  readonly dimension: string;
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly options: TcpProbeOptions,
    private readonly clock: Clock,
  ) {
    this.dimension = options.dimension;
    this.defaultTimeoutMs = options.defaultTimeoutMs;
  }

  async check(target: NodeInfo, ctx: CallContext): Promise<Outcome<ProbeData>> {
    const host = this.options.address ?? target.nics[this.options.nic]?.address;
    if (!host) return outcome('config-error', `node ${target.name} has no ${this.options.nic} NIC to probe; set options.address or add nodes.${target.name}.nics.${this.options.nic}`);
    const where = `${target.name} ${host}:${this.options.port}`;
    if (ctx.signal.aborted) return outcome('timeout', `tcp ${where}: abandoned before connecting`);
    const started = this.clock.monotonicMs();
    const result = await this.connectOnce(host, ctx.signal);
    const latencyMs = this.clock.monotonicMs() - started;
    switch (result.kind) {
      case 'connected':
        return ok(`tcp ${where} accepted a connection in ${Math.round(latencyMs)} ms`, { latencyMs });
      case 'aborted':
        return outcome('timeout', `tcp ${where}: no answer within ${ctx.timeoutMs} ms`);
      case 'error':
        if (result.code === 'ETIMEDOUT') return outcome('timeout', `tcp ${where}: connect timed out`);
        if (result.code === 'ENOTFOUND' || result.code === 'EAI_AGAIN') return outcome('config-error', `tcp ${where}: cannot resolve ${host} (${result.code})`);
        return outcome(REFUSED.has(result.code) ? 'failed' : 'unknown', `tcp ${where}: ${result.code} ${result.message}`);
    }
  }

  private connectOnce(host: string, signal: AbortSignal): Promise<{ kind: 'connected' } | { kind: 'aborted' } | { kind: 'error'; code: string; message: string }> {
    return new Promise((resolve) => {
      const socket: Socket = connect({ host, port: this.options.port });
      const finish = (value: Parameters<typeof resolve>[0]): void => {
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        resolve(value);
      };
      const onAbort = (): void => finish({ kind: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => finish({ kind: 'connected' }));
      socket.once('error', (error: NodeJS.ErrnoException) => finish({ kind: 'error', code: error.code ?? 'EUNKNOWN', message: error.message }));
    });
  }
}
