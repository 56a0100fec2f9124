import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { writeSshdConfig, type SshMaterial } from './ssh-material.js';

/** Test-only: a real sshd on 127.0.0.1, owned by a test. */
export interface LoopbackSshd {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything sshd logged (-e sends it to stderr). */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Start sshd in the foreground and wait (bounded) for "Server listening"; its key is added to the known-hosts file. */
export async function startLoopbackSshd(m: SshMaterial, timeoutMs = 10_000): Promise<LoopbackSshd> {
  const port = await freePort();
  const { argv } = writeSshdConfig(m, '127.0.0.1', port);
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const poll = setInterval(() => {
      if (log.includes('Server listening') || child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(log.includes('Server listening'));
      }
    }, 20);
  });
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`sshd on 127.0.0.1:${port} did not start within ${timeoutMs} ms:\n${log}`);
  }
  // Built the way the README tells operators to: ssh-keyscan (then compare the fingerprint out of band).
  const scanned = execFileSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', '-p', String(port), '127.0.0.1'], { timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  if (!scanned.includes('ssh-ed25519')) throw new Error(`ssh-keyscan found no ed25519 key on 127.0.0.1:${port}`);
  appendFileSync(m.knownHosts, scanned);
  return {
    port,
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
