import type { Socket } from 'node:net';

interface Tracked {
  inFlight: number;
  quietSinceMs: number;
}

/**
 * The open sockets of the status server and whether each is serving a
 * request. When the connection cap is reached, the quiet ones (nothing in
 * flight for at least a grace period: a client that connected and never
 * spoke, a slow one still sending its headers, or one kept alive after its
 * answer) can be closed, so a crowd of idle clients does not keep a health
 * check out until their timeouts run.
 */
export class StatusConnections {
  private readonly sockets = new Map<Socket, Tracked>();

  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  get size(): number {
    return this.sockets.size;
  }

  add(socket: Socket): void {
    this.sockets.set(socket, { inFlight: 0, quietSinceMs: this.nowMs() });
    socket.once('close', () => this.sockets.delete(socket));
  }

  requestStarted(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (t) t.inFlight += 1;
  }

  requestEnded(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (!t) return;
    t.inFlight = Math.max(0, t.inFlight - 1);
    if (t.inFlight === 0) t.quietSinceMs = this.nowMs();
  }

  /** Destroy the sockets with no request in flight for `graceMs` or longer; returns how many. */
  closeQuiet(graceMs: number): number {
    const now = this.nowMs();
    let closed = 0;
    for (const [socket, t] of this.sockets) {
      if (t.inFlight > 0 || now - t.quietSinceMs < graceMs) continue;
      this.sockets.delete(socket);
      socket.destroy();
      closed += 1;
    }
    return closed;
  }

  closeAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
    this.sockets.clear();
  }
}
