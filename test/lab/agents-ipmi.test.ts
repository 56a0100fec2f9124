import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab, injectFault, serversNamed, startAgents } from '@tandem/lab';
import { ensureBuilt, repoRoot } from '../integration/cli-support.js';

/**
 * Real agents in the lab: three servers, the Redis store on the store host,
 * fencing through each server's BMC over real IPMI. A frozen primary must be
 * powered off by the survivors' fencer before one of them takes over.
 */
let lab: Lab;
let failed = false;
const APP_PORT = 15432;

/** Which server answers on the app port of `server`, from the client host; undefined when nobody does. */
async function appAnswer(server: string): Promise<string | undefined> {
  const r = await lab.exec('client', ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${lab.address(server)}/${APP_PORT}; read -t 1 line <&3; echo "$line"`], { allowFailure: true });
  return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

async function serving(): Promise<string[]> {
  const answers: string[] = [];
  for (const server of lab.servers) {
    const answer = await appAnswer(server.name);
    if (answer !== undefined) answers.push(answer);
  }
  return answers;
}

beforeAll(async () => {
  ensureBuilt();
  lab = await Lab.up({ servers: serversNamed(3), store: {} });
  const filesDir = join(lab.dir, 'agents');
  for (const s of lab.servers) await mkdir(join(filesDir, s.name), { recursive: true });
  const config = (await readFile(join(repoRoot, 'examples/lab-ipmi.yaml'), 'utf8')).replaceAll('/run/tandem-lab-example', filesDir);
  const configPath = join(lab.dir, 'tandem.yaml');
  await writeFile(configPath, config);
  await startAgents(lab, { configPath, env: { TANDEM_IPMI_PASSWORD: lab.bmcs.access('s1').password } });
}, 120_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await lab?.down({ keepDir: failed });
  if (failed) console.error(`lab logs kept in ${lab.dir}`);
});

describe('agents in the lab with IPMI fencing', () => {
  it('elect exactly one primary, which runs the service', async () => {
    await expect.poll(serving, { timeout: 60_000, interval: 500 }).toHaveLength(1);
  });

  it('fence a frozen primary through its BMC before another server takes over', async () => {
    const [primary] = await serving();
    expect(primary).toBeDefined();
    const frozen = await injectFault(lab, { kind: 'freeze-host', host: primary as string });
    const frozenAtMs = Date.now();
    await expect.poll(async () => (await serving()).filter((s) => s !== primary), { timeout: 60_000, interval: 500 }).toHaveLength(1);
    const tookOverMs = Date.now() - frozenAtMs;
    // The survivors powered the frozen server off over IPMI: the lab itself never did.
    expect(await lab.bmcs.state(primary as string)).toBe('off');
    expect(await lab.bmcs.hookLog(primary as string)).toMatch(/set power 0/);
    expect(await lab.pids(primary as string)).toEqual([]);
    expect(await serving()).toHaveLength(1);
    await frozen.heal();
    console.log(`takeover after freezing ${primary as string}: ${tookOverMs} ms`);
  }, 90_000);
});
