/**
 * The delay proxy as a process, so the lab can run it inside a namespace:
 *   ip netns exec <ns> node dist/faults/delay-proxy-main.js --listen 0.0.0.0:15432 --target 198.51.100.2:5432 --delay-ms 50
 * Prints one JSON line {"listening":{"host","port"}} when ready; exits 0 on SIGTERM or SIGINT.
 */
import { parseDelayProxyArgs } from './delay-proxy-args.js';
import { startDelayProxy } from './delay-proxy.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseDelayProxyArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`delay-proxy: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const proxy = await startDelayProxy(options);
  process.stdout.write(`${JSON.stringify({ listening: { host: proxy.host, port: proxy.port } })}\n`);
  const stop = (): void => {
    // A stuck close must not keep the process alive past a stop request.
    setTimeout(() => process.exit(0), 2000).unref();
    void proxy.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`delay-proxy: ${(error as Error).message}\n`);
  process.exit(1);
});
