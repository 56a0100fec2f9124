import { createSocket } from 'node:dgram';

// RMCP header (version 6, reserved, sequence 0xff = no ack, class ASF) then an
// ASF presence ping: IANA enterprise 4542, message type 0x80, tag, reserved, length 0.
const PING = Buffer.from([0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x2a, 0x00, 0x00]);
const PONG_TYPE = 0x40;

/**
 * Send RMCP presence pings to host:port until a pong comes back or
 * `timeoutMs` passes. Resolves true on a pong. A BMC (or ipmi_sim) answers
 * these before any session exists, so this says "the LAN channel is up"
 * without credentials or ipmitool.
 */
export async function rmcpPing(host: string, port: number, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const finish = (answered: boolean): void => {
        clearInterval(repeat);
        clearTimeout(deadline);
        resolve(answered);
      };
      socket.on('message', (msg) => {
        if (msg.length >= 9 && msg[3] === 0x06 && msg[8] === PONG_TYPE) finish(true);
      });
      // An ICMP port-unreachable shows up as a socket error; keep pinging until the deadline.
      socket.on('error', () => undefined);
      const send = (): void => socket.send(PING, port, host, () => undefined);
      const repeat = setInterval(send, intervalMs);
      const deadline = setTimeout(() => finish(false), timeoutMs);
      send();
    });
  } finally {
    socket.close();
  }
}
