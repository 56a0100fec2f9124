import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { DelayPipe, emptyDirectionStats, type DirectionStats } from './delay-proxy-pipe.js';
import { DEFAULT_RETRANSMIT_MS, seededRandom, validateImpairment, type Impairment } from './delay-proxy-impairment.js';

export interface DelayProxyOptions {
  readonly listenHost: string;
  /** 0 picks a free port; read it back from the handle. */
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly delayMs: number;
  readonly jitterMs?: number;
  /** 0-100. A "lost" chunk stalls its direction for retransmitMs (TCP turns loss into delay). */
  readonly lossPercent?: number;
  readonly retransmitMs?: number;
  /** Per connection and direction; the reading socket is paused above this. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  readonly seed?: number;
}

export interface DelayProxyStats {
  readonly acceptedConnections: number;
  readonly activeConnections: number;
  readonly targetConnectFailures: number;
  /** Client to target. */
  readonly upstream: Readonly<DirectionStats>;
  /** Target to client. */
  readonly downstream: Readonly<DirectionStats>;
}

export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  stats(): DelayProxyStats;
  /** Change the link live; applies to chunks that arrive from now on. */
  setImpairment(change: Partial<Impairment>): Impairment;
  /** Stop listening and destroy every proxied connection. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface ProxyState {
  impairment: Impairment;
  readonly random: () => number;
  readonly maxBufferedBytes: number;
  readonly upstream: DirectionStats;
  readonly downstream: DirectionStats;
  readonly sockets: Set<Socket>;
  accepted: number;
  active: number;
  connectFailures: number;
}

/**
 * A TCP proxy that delays every chunk in both directions, for a lab link
 * without netem. Each accepted connection gets its own connection to the
 * target; see DelayPipe for ordering, loss and backpressure.
 */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 1) {
    throw new RangeError(`maxBufferedBytes must be a positive integer, got ${String(maxBufferedBytes)}`);
  }
  const state: ProxyState = {
    impairment: validateImpairment({
      delayMs: options.delayMs,
      jitterMs: options.jitterMs ?? 0,
      lossPercent: options.lossPercent ?? 0,
      retransmitMs: options.retransmitMs ?? DEFAULT_RETRANSMIT_MS,
    }),
    random: seededRandom(options.seed ?? 1),
    maxBufferedBytes,
    upstream: emptyDirectionStats(),
    downstream: emptyDirectionStats(),
    sockets: new Set(),
    accepted: 0,
    active: 0,
    connectFailures: 0,
  };
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => proxyConnection(client, options, state));
  const address = await listen(server, options.listenHost, options.listenPort);
  // After listening, an accept error (EMFILE...) must not crash the process; the connection is simply not made.
  server.on('error', () => undefined);
  return {
    host: address.address,
    port: address.port,
    stats: () => snapshot(state),
    setImpairment: (change) => (state.impairment = validateImpairment({ ...state.impairment, ...change })),
    close: () => closeServer(server, state.sockets),
  };
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

function snapshot(state: ProxyState): DelayProxyStats {
  return {
    acceptedConnections: state.accepted,
    activeConnections: state.active,
    targetConnectFailures: state.connectFailures,
    upstream: { ...state.upstream },
    downstream: { ...state.downstream },
  };
}

function proxyConnection(client: Socket, options: DelayProxyOptions, state: ProxyState): void {
  state.accepted += 1;
  state.active += 1;
  const target = connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true, noDelay: true });
  let connected = false;
  target.once('connect', () => (connected = true));
  const shared = { impairment: () => state.impairment, random: state.random, maxBufferedBytes: state.maxBufferedBytes };
  const up = new DelayPipe(client, target, { ...shared, stats: state.upstream });
  const down = new DelayPipe(target, client, { ...shared, stats: state.downstream });
  state.sockets.add(client);
  state.sockets.add(target);
  client.on('data', (data: Buffer) => up.push(data));
  target.on('data', (data: Buffer) => down.push(data));
  client.on('end', () => up.sourceEnd());
  target.on('end', () => down.sourceEnd());
  // A reset, a refused connect or any socket error tears down both sides at once; nothing waits in the queues.
  client.on('error', () => abort(target));
  target.on('error', () => {
    if (!connected) state.connectFailures += 1;
    abort(client);
  });
  let open = 2;
  const onClose = (closed: Socket, other: Socket, toClosed: DelayPipe): void => {
    state.sockets.delete(closed);
    // Nothing more can be written to the closed side; if it still owed the other side data, give up on it too.
    const owed = !toClosed.finished;
    toClosed.stop();
    if (owed) other.destroy();
    open -= 1;
    if (open === 0) {
      up.stop();
      down.stop();
      state.active -= 1;
    }
  };
  client.on('close', () => onClose(client, target, down));
  target.on('close', () => onClose(target, client, up));
  function abort(other: Socket): void {
    up.stop();
    down.stop();
    if (other.destroyed) return;
    // resetAndDestroy sends an RST so the peer sees a reset, not a clean close; it needs a connected handle.
    if (other.connecting || other.pending) other.destroy();
    else other.resetAndDestroy();
  }
}
