#!/usr/bin/env node
/**
 * The lab's client workload, one process inside the client's namespace:
 *   PGPASSWORD=... node workload-main.js --target 192.0.2.100:5432 --out w.jsonl
 *     [--database postgres] [--user tandem] [--writer w1] [--interval-ms 50]
 *     [--duration-ms N] [--hosts a=addr:port,b=addr:port] [--poll-ms 100]
 *     [--attempt-timeout-ms 2000] [--backoff-ms 100]
 * Writes JSON lines (write attempts, probes) to --out; exits 0 on SIGTERM/SIGINT
 * or at the end of --duration-ms after flushing, 2 on bad arguments.
 */
import { SystemClock } from '@tandem/core';
import { JsonlWriter } from './jsonl-writer.js';
import { runProbeLoop } from './probe-loop.js';
import { parseWorkloadArgs, type WorkloadOptions } from './workload-args.js';
import { runWriteLoop } from './write-loop.js';

async function runWorkload(options: WorkloadOptions): Promise<void> {
  const clock = new SystemClock();
  const out = new JsonlWriter(options.out, clock);
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort(new Error(signal)));
  if (options.durationMs !== undefined) void clock.sleep(options.durationMs, stop.signal).then(() => stop.abort(new Error('duration over')), () => undefined);
  await out.append({ kind: 'start', writer: options.writer, target: `${options.target.host}:${options.target.port}`, pid: process.pid, atMs: clock.wallMs() });
  const record = (line: object): Promise<void> => out.append(line);
  const probes = options.hosts.map((host) =>
    runProbeLoop({
      name: host.name,
      target: { ...options.target, host: host.host, port: host.port },
      pollMs: options.pollMs,
      probeTimeoutMs: options.attemptTimeoutMs,
      clock,
      record,
      signal: stop.signal,
    }),
  );
  const writes = runWriteLoop({ ...options, clock, record, signal: stop.signal });
  const results = await Promise.allSettled([writes, ...probes]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String((r.reason as Error)?.message ?? r.reason));
  const lastSeq = results[0]?.status === 'fulfilled' ? results[0].value : undefined;
  await out.append({ kind: 'stop', writer: options.writer, lastSeq, atMs: clock.wallMs(), ...(failures.length > 0 ? { errors: failures } : {}) });
  await out.close();
  if (failures.length > 0) throw new Error(`workload loop failed: ${failures.join('; ')}`);
}

async function main(): Promise<number> {
  let options: WorkloadOptions;
  try {
    options = parseWorkloadArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`workload: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await runWorkload(options);
    return 0;
  } catch (error) {
    process.stderr.write(`workload: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
