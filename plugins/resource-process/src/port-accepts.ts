import { connect } from 'node:net';

/** One TCP connect attempt: 'yes' on a handshake, 'no' on refusal or error, 'aborted' when the signal fires first. */
export function portAccepts(host: string, port: number, signal: AbortSignal): Promise<'yes' | 'no' | 'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const socket = connect({ host, port });
    const finish = (answer: 'yes' | 'no' | 'aborted'): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(answer);
    };
    const onAbort = (): void => finish('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish('yes'));
    socket.once('error', () => finish('no'));
  });
}
