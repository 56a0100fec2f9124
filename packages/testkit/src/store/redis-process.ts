import { spawn, type ChildProcess } from 'node:child_process';

/** A redis-server or redis-sentinel child process started by a test. */
export interface RedisProcess {
  readonly port: number;
  readonly pid: number;
  /** Output lines kept for failure messages (bounded). */
  readonly output: readonly string[];
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once: a crash, not a shutdown. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a frozen server that keeps its sockets open. */
  pause(): void;
  resume(): void;
}

const OUTPUT_LINES_MAX = 200;

export interface StartRedisProcessOptions {
  readonly binary: 'redis-server' | 'redis-sentinel';
  readonly args: readonly string[];
  readonly port: number;
  readonly cwd: string;
  /** A line matching this means the process is ready. */
  readonly ready: RegExp;
  readonly startTimeoutMs?: number;
}

function missingBinary(binary: string): Error {
  return new Error(`${binary} is not installed on this host; install it with: apt-get install -y redis-server (it provides redis-server and redis-sentinel)`);
}

/** Start the process and resolve once it printed its ready line; reject loudly (with its output) otherwise. */
export async function startRedisProcess(options: StartRedisProcessOptions): Promise<RedisProcess> {
  const child = spawn(options.binary, [...options.args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.binary} on port ${options.port} was not ready within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        if (output.length >= OUTPUT_LINES_MAX) output.shift();
        output.push(line);
        if (options.ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? missingBinary(options.binary) : error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.binary} on port ${options.port} exited (${String(code ?? signal)}) before it was ready:\n${output.join('\n')}`));
    });
  });
  return handle(child, options.port, output, exited);
}

function handle(child: ChildProcess, port: number, output: string[], exited: Promise<void>): RedisProcess {
  const pid = child.pid ?? -1;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const waitExit = async (timeoutMs: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  };
  return {
    port,
    pid,
    output,
    async stop(timeoutMs = 5000): Promise<void> {
      if (!running()) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      if (await waitExit(timeoutMs)) return;
      child.kill('SIGKILL');
      await waitExit(timeoutMs);
    },
    async kill(): Promise<void> {
      if (!running()) return;
      child.kill('SIGKILL');
      await waitExit(5000);
    },
    pause(): void {
      child.kill('SIGSTOP');
    },
    resume(): void {
      child.kill('SIGCONT');
    },
  };
}
