import { createHash } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy, type DelayProxyOptions } from './delay-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server whose sockets are all destroyed on cleanup. */
async function server(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  return (srv.address() as AddressInfo).port;
}

const echo = (socket: Socket): void => {
  socket.pipe(socket);
};

async function proxy(targetPort: number, options: Partial<DelayProxyOptions>): Promise<DelayProxy> {
  const p = await startDelayProxy({ listenHost: '127.0.0.1', listenPort: 0, targetHost: '127.0.0.1', targetPort, delayMs: 0, ...options });
  cleanups.push(() => p.close());
  return p;
}

async function client(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
  socket.on('error', () => undefined);
  cleanups.push(async () => void socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Resolve with everything read once `predicate` holds, failing after timeoutMs. */
function readUntil(socket: Socket, predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out; read so far: ${text.slice(0, 200)}`)), timeoutMs);
    const onData = (data: Buffer): void => {
      text += data.toString('latin1');
      if (predicate(text)) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}

function waitFor(socket: Socket, event: 'close' | 'end', timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });
}

async function roundTripMs(socket: Socket, message: string): Promise<number> {
  const started = performance.now();
  const reply = readUntil(socket, (t) => t.includes(message));
  socket.write(message);
  await reply;
  return performance.now() - started;
}

describe('delay proxy', () => {
  it('delays each direction by delayMs: a round trip takes at least twice the delay', async () => {
    const p = await proxy(await server(echo), { delayMs: 100 });
    const socket = await client(p.port);
    for (let i = 0; i < 3; i++) {
      const rtt = await roundTripMs(socket, `ping-${i};`);
      expect(rtt).toBeGreaterThanOrEqual(200);
      expect(rtt).toBeLessThan(200 + 400);
    }
    expect(p.stats()).toMatchObject({ acceptedConnections: 1, activeConnections: 1 });
  });

  it('keeps the order of 1000 small writes under jitter', async () => {
    const p = await proxy(await server(echo), { delayMs: 5, jitterMs: 40, seed: 7 });
    const socket = await client(p.port);
    const expected = Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('');
    const reply = readUntil(socket, (t) => t.length >= expected.length);
    for (let i = 0; i < 1000; i++) socket.write(`${i}\n`);
    expect(await reply).toBe(expected);
    expect(p.stats().upstream.chunks).toBeGreaterThan(1);
  });

  it('moves 20 MiB intact with a bounded queue (backpressure pauses the reader)', async () => {
    const maxBufferedBytes = 256 * 1024;
    const targetPort = await server((socket) => {
      // A target that stops reading for a while: the proxy must not buffer without bound meanwhile.
      socket.pause();
      setTimeout(() => socket.resume(), 300);
      const hash = createHash('sha256');
      socket.on('data', (d: Buffer) => hash.update(d));
      socket.on('end', () => socket.end(hash.digest('hex')));
    });
    const p = await proxy(targetPort, { delayMs: 20, maxBufferedBytes });
    const socket = await client(p.port);
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
    const sent = createHash('sha256');
    const reply = readUntil(socket, (t) => t.length === 64, 60_000);
    for (let i = 0; i < 20; i++) {
      sent.update(block);
      if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    socket.end();
    expect(await reply).toBe(sent.digest('hex'));
    const up = p.stats().upstream;
    expect(up.bytes).toBe(20 * 1024 * 1024);
    expect(up.backpressurePauses).toBeGreaterThan(0);
    expect(up.queuedBytesHighWater).toBeGreaterThan(maxBufferedBytes);
    expect(up.queuedBytesHighWater).toBeLessThanOrEqual(maxBufferedBytes + up.largestChunkBytes);
  }, 60_000);

  it('turns 100% loss into a retransmitMs stall per chunk in each direction', async () => {
    const p = await proxy(await server(echo), { delayMs: 10, lossPercent: 100, retransmitMs: 300 });
    const socket = await client(p.port);
    for (let i = 0; i < 2; i++) {
      const rtt = await roundTripMs(socket, `lost-${i};`);
      expect(rtt).toBeGreaterThanOrEqual(2 * (10 + 300));
    }
    expect(p.stats().upstream.lostChunks).toBeGreaterThanOrEqual(2);
    expect(p.stats().downstream.lostChunks).toBeGreaterThanOrEqual(2);
  });

  it('applies a live impairment change to the next chunks', async () => {
    const p = await proxy(await server(echo), { delayMs: 0 });
    const socket = await client(p.port);
    expect(await roundTripMs(socket, 'fast;')).toBeLessThan(150);
    p.setImpairment({ delayMs: 150 });
    expect(await roundTripMs(socket, 'slow;')).toBeGreaterThanOrEqual(300);
    expect(() => p.setImpairment({ lossPercent: 101 })).toThrow(/lossPercent/);
  });

  it('propagates a half-close after the queued data, in both directions', async () => {
    const targetPort = await server((socket) => {
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('end', () => socket.end(`got:${got};bye`));
    });
    const p = await proxy(targetPort, { delayMs: 50 });
    const socket = await client(p.port);
    const ended = waitFor(socket, 'end');
    const reply = readUntil(socket, (t) => t.endsWith('bye'));
    socket.write('hello');
    socket.end();
    expect(await reply).toBe('got:hello;bye');
    await ended;
    await waitFor(socket, 'close').catch(() => undefined);
    expect(socket.destroyed).toBe(true);
  });

  it('propagates a reset at once, without waiting for the queue', async () => {
    const targetSockets: Socket[] = [];
    const p = await proxy(await server((s) => targetSockets.push(s)), { delayMs: 1000 });
    const socket = await client(p.port);
    await expect.poll(() => targetSockets.length, { timeout: 5000 }).toBe(1);
    const target = targetSockets[0]!;
    const targetError = new Promise<string | undefined>((resolve) => target.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    const targetClosed = waitFor(target, 'close');
    socket.write('queued for a second');
    // Reset only after the write left: a reset with a write still in flight goes out as a plain FIN.
    await expect.poll(() => p.stats().upstream.queuedBytes, { timeout: 5000 }).toBeGreaterThan(0);
    socket.resetAndDestroy();
    expect(await targetClosed).toBeLessThan(800);
    expect(await targetError).toBe('ECONNRESET');
  });

  it('closes the client when the target side closes, and when the target cannot be reached', async () => {
    const p = await proxy(await server((s) => s.destroy()), { delayMs: 10 });
    // The test client is half-open capable, so a FIN from the proxy shows up as 'end'.
    expect(await waitFor(await client(p.port), 'end')).toBeLessThan(5000);

    const unused = createServer();
    await new Promise<void>((resolve) => unused.listen(0, '127.0.0.1', resolve));
    const deadPort = (unused.address() as AddressInfo).port;
    await new Promise<void>((resolve) => unused.close(() => resolve()));
    const dead = await proxy(deadPort, { delayMs: 10 });
    const socket = await client(dead.port);
    expect(await waitFor(socket, 'close')).toBeLessThan(5000);
    expect(dead.stats()).toMatchObject({ targetConnectFailures: 1, activeConnections: 0 });
  });
});
