import { connect } from 'node:net';

/** One command on qemu's human monitor (set_link, system_powerdown ...); resolves with its output. */
export function hmp(socketPath: string, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`vm lab: qemu monitor ${socketPath} did not answer \`${command}\` within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (!buffer.includes('(qemu)')) return;
      if (!sent) {
        sent = true;
        buffer = '';
        socket.write(`${command}\n`);
        return;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(buffer.replace(/\(qemu\)\s*$/, '').trim());
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`vm lab: qemu monitor ${socketPath}: ${e.message}`));
    });
  });
}
