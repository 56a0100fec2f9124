import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from './lab.js';
import { serversNamed } from './topology/lab-spec.js';
import { listNamespaces, namespacePids } from './topology/namespace-cleanup.js';
import { REGISTRY_DIR, listLabRecords, sweepStaleLabs } from './topology/lab-registry.js';
import { canConnect } from './hosts/wait-for-port.js';

const started: Lab[] = [];
afterAll(async () => {
  for (const lab of started) await lab.down().catch(() => undefined);
});

async function leftovers(labId: string): Promise<string[]> {
  return (await listNamespaces()).filter((ns) => ns.includes(labId));
}

describe('lab topology', () => {
  it('builds servers with four NICs on separate networks, a gateway, a client and a store, then removes everything', async () => {
    const lab = await Lab.up({ servers: serversNamed(2), store: {} });
    started.push(lab);
    const s1 = lab.host('s1');
    const shown = (await lab.exec('s1', ['ip', '-br', 'addr'])).stdout;
    for (const nic of s1.nics) expect(shown).toContain(`${nic.address}/${nic.prefixLength}`);
    expect(s1.nics.map((n) => n.role)).toEqual(['public', 'storage', 'privateA', 'privateB', 'management']);
    // Each network reaches the peer's address on the same network.
    for (const role of ['public', 'storage', 'privateA', 'privateB'] as const) {
      const ping = await lab.exec('s1', ['ping', '-c1', '-W2', lab.address('s2', role)], { allowFailure: true });
      expect(ping.exitCode, `ping s2 on ${role}`).toBe(0);
    }
    expect((await lab.exec('client', ['ping', '-c1', '-W2', lab.address('gateway')], { allowFailure: true })).exitCode).toBe(0);
    expect(await canConnect(lab.host('s1').namespace, lab.address('store'), 6379)).toBe(true);
    // The machine's own namespace has no route into the lab.
    const fromRoot = spawn('ping', ['-c1', '-W1', lab.address('s1')], { stdio: 'ignore' });
    expect(await new Promise((resolve) => fromRoot.once('exit', resolve))).not.toBe(0);

    const namespaces = await leftovers(lab.id);
    expect(namespaces.length).toBe(7); // switch, s1, s2, gateway, client, store, bmc
    await lab.down();
    expect(await leftovers(lab.id)).toEqual([]);
    for (const ns of namespaces) expect(await namespacePids(ns)).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect((await listLabRecords()).map((r) => r.id)).not.toContain(lab.id);
  });

  it('runs two labs side by side with the same addresses without either seeing the other', async () => {
    const a = await Lab.up({ servers: serversNamed(1), power: false });
    started.push(a);
    const b = await Lab.up({ servers: serversNamed(1), power: false });
    started.push(b);
    expect(a.id).not.toBe(b.id);
    expect(a.address('s1')).toBe(b.address('s1'));
    await a.addService('s1', { name: 'echo', argv: [process.execPath, '-e', "require('net').createServer((s) => s.pipe(s)).listen(7000)"] });
    await expect.poll(() => canConnect(a.host('client').namespace, a.address('s1'), 7000), { timeout: 5000 }).toBe(true);
    expect(await canConnect(b.host('client').namespace, b.address('s1'), 7000)).toBe(false);
    await a.down();
    await b.down();
    expect([...(await leftovers(a.id)), ...(await leftovers(b.id))]).toEqual([]);
  });

  it('a lab left by a killed process is swept by the next one', async () => {
    const script = `import { Lab } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)};
      const lab = await Lab.up({ servers: [{ name: 's1' }], power: false });
      await lab.addService('s1', { name: 'sleeper', argv: ['sleep', '600'] });
      console.log(lab.id);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      child.once('exit', (code) => reject(new Error(`lab child exited ${String(code)}`)));
    });
    expect((await leftovers(id)).length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await sweepStaleLabs()).toContain(id);
    expect(await leftovers(id)).toEqual([]);
    expect(await readdir(REGISTRY_DIR)).not.toContain(`${id}.json`);
  });

  it('an interrupted run (SIGINT) takes its lab down on the way out', async () => {
    const script = `import { Lab } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)};
      const lab = await Lab.up({ servers: [{ name: 's1' }], power: false });
      await lab.addService('s1', { name: 'sleeper', argv: ['sleep', '600'] });
      console.log(lab.id);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(130);
    expect(await leftovers(id)).toEqual([]);
  });

  it('refuses a spec with addresses outside the documentation ranges, naming the field', async () => {
    await expect(Lab.up({ servers: [{ name: 's1', nics: { public: '10.0.0.5' } }] })).rejects.toThrow(/lab\.servers\.0\.nics\.public: .*documentation ranges/);
  });
});
