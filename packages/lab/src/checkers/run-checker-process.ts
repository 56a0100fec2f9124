import { spawn, type ChildProcess } from 'node:child_process';

/** A checker main (workload or verifier) started as a child `node` process, for tests on loopback. */
export interface CheckerProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal) and everything printed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
}

const OUTPUT_CHARS_MAX = 1_000_000;

export function startCheckerProcess(script: string, args: readonly string[], env: Readonly<Record<string, string>>): CheckerProcess {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (stdout.length < OUTPUT_CHARS_MAX) stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < OUTPUT_CHARS_MAX) stderr += chunk.toString('utf8');
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const exitedWithin = async (timeoutMs: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([done.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  };
  return {
    child,
    done,
    async stop(timeoutMs = 10_000): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (await exitedWithin(timeoutMs)) return;
      child.kill('SIGKILL');
      await exitedWithin(timeoutMs);
    },
  };
}
