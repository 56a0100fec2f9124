import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { ControlReply, ControlRequest } from './control-protocol.js';

/** More than this many commands in flight to one guest is a test bug, not load: refuse instead of queueing. */
const MAX_IN_FLIGHT = 32;
/** Extra time the host waits beyond a command's own deadline (the guest enforces that one; TCG is slow to reply). */
const REPLY_GRACE_MS = 15_000;

interface Pending {
  readonly resolve: (reply: ControlReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The host's end of a guest's control port (a unix socket qemu serves).
 * Requests carry ids; replies may come back in any order.
 */
export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly guest: string,
    private readonly socket: Socket,
  ) {
    createInterface({ input: socket }).on('line', (line) => this.onLine(line));
    socket.on('close', () => this.failAll(new Error(`vm lab: control channel to ${guest} closed (guest powered off or crashed)`)));
    socket.on('error', () => undefined); // 'close' follows and fails what is pending.
  }

  /** Connect to qemu's socket, retrying while qemu has not created it yet. */
  static async connect(guest: string, socketPath: string, timeoutMs: number): Promise<ControlClient> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(socketPath, () => resolve(s));
          s.once('error', reject);
        });
        return new ControlClient(guest, socket);
      } catch (error) {
        last = (error as Error).message;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`vm lab: cannot connect to ${guest}'s control socket ${socketPath} within ${timeoutMs} ms (${last})`);
  }

  request(body: Omit<ControlRequest, 'id'>): Promise<ControlReply> {
    if (this.closed) return Promise.reject(new Error(`vm lab: control channel to ${this.guest} is closed`));
    if (this.pending.size >= MAX_IN_FLIGHT) return Promise.reject(new Error(`vm lab: ${MAX_IN_FLIGHT} commands already in flight to ${this.guest}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`vm lab: ${this.guest} did not answer \`${body.argv.join(' ')}\` within ${body.timeoutMs + REPLY_GRACE_MS} ms`));
      }, body.timeoutMs + REPLY_GRACE_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onLine(line: string): void {
    let reply: ControlReply;
    try {
      reply = JSON.parse(line) as ControlReply;
    } catch {
      return; // Not ours: boot noise cannot reach this port, but a half line after a guest restart can.
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    p.resolve(reply);
  }

  private failAll(error: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }
}
