import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A real local TCP service for probe tests. */
export interface TcpTarget {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function listen(server: Server, backlog?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, ...(backlog === undefined ? {} : { backlog }) }, () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('listener has no port'));
    });
  });
}

/** A listener on 127.0.0.1 that accepts and closes connections: a healthy TCP target. */
export async function startTcpListener(): Promise<TcpTarget> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end();
  });
  const port = await listen(server);
  return {
    host: HOST,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was bound once, then released): connects are refused. */
export async function closedTcpPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A listener whose accept queue is full and whose process is stopped
 * (SIGSTOP): new SYNs are dropped by the kernel, so a connect hangs instead
 * of being refused, as with a host that froze. The listener lives in a child
 * process because Node always accepts; `close()` kills it.
 */
export async function startStalledTcpListener(fillTimeoutMs = 2000): Promise<TcpTarget> {
  const script = `const s=require('net').createServer(()=>{}).listen({port:0,host:'${HOST}',backlog:1},()=>console.log(s.address().port))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readPort(child, fillTimeoutMs);
  child.kill('SIGSTOP');
  const held: Socket[] = [];
  // Fill the accept queue until a connect no longer completes.
  for (let i = 0; i < 8; i++) {
    const socket = connect({ host: HOST, port });
    held.push(socket);
    socket.on('error', () => undefined);
    if (!(await connected(socket, 300))) break;
  }
  return {
    host: HOST,
    port,
    close: async () => {
      for (const s of held) s.destroy();
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stalled listener did not report its port within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(Number(String(d).trim()));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error('stalled listener exited before listening'));
    });
  });
}

function connected(socket: Socket, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
