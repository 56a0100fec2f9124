import { inNamespace } from '../topology/ip-command.js';

/**
 * Wait until a TCP connect from inside `ns` to address:port succeeds. The
 * connect is bash's /dev/tcp, so it needs nothing but bash in the namespace.
 */
export async function waitForPort(ns: string, address: string, port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await inNamespace(ns, ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port}`], { allowFailure: true });
    if (result.exitCode === 0) return;
    if (Date.now() >= deadline) throw new Error(`lab: ${what} did not accept connections on ${address}:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** One TCP connect attempt from inside `ns`: true when it was accepted within timeoutS. */
export async function canConnect(ns: string, address: string, port: number, timeoutS = 2): Promise<boolean> {
  const result = await inNamespace(ns, ['timeout', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port}`], { allowFailure: true });
  return result.exitCode === 0;
}
