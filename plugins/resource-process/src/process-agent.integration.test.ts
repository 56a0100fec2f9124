import { afterAll, beforeAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecaCommandRunner, SystemClock } from '@tandem/core';
import { closedTcpPort, describeResourceAgentConformance, type ResourceAgentSubject } from '@tandem/testkit';
import { ProcessAgent } from './process-agent.js';
import { processAgentOptions } from './process-agent-options.js';
import { processAlive } from './pid-file.js';

// A real service: a node TCP server that records its pid in a marker file.
const SERVER = `require('fs').writeFileSync(process.env.MARKER, String(process.pid));
require('net').createServer((c) => c.end()).listen(Number(process.env.PORT), '127.0.0.1');`;
// A service that never becomes ready: it never opens its port.
const NEVER_READY = `require('fs').writeFileSync(process.env.MARKER, String(process.pid)); setInterval(() => {}, 60000);`;

let root: string;
let runs = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-resource-process-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function markedPid(marker: string): Promise<number> {
  return Number(await readFile(marker, 'utf8').catch(() => '0'));
}

async function subject(script: string): Promise<ResourceAgentSubject> {
  const dir = await mkdtemp(join(root, `run-${runs++}-`));
  const marker = join(dir, 'service.marker');
  const port = await closedTcpPort();
  const options = processAgentOptions.parse({
    command: [process.execPath, '-e', script],
    pidFile: join(dir, 'service.pid'),
    env: { MARKER: marker, PORT: String(port) },
    healthPort: port,
    stopTimeoutMs: 2000,
  });
  const busy = async (): Promise<boolean> => {
    const pid = await markedPid(marker);
    return pid > 0 && (await processAlive(pid));
  };
  return {
    agent: new ProcessAgent(options, new SystemClock(), new ExecaCommandRunner()),
    busy,
    cleanup: async () => {
      // Whatever a failing check left behind must not outlive the test run.
      const pid = await markedPid(marker);
      if (pid > 0 && (await processAlive(pid))) process.kill(pid, 'SIGKILL');
    },
  };
}

describeResourceAgentConformance('resource-process with a real node server', {
  roles: true,
  timeoutMs: 10_000,
  shortTimeoutMs: 500,
  abortGraceMs: 2500,
  create: () => subject(SERVER),
  slow: () => subject(NEVER_READY),
});
