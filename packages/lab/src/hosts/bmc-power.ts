import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderEmulatorCommands, renderLanConf } from '@tandem/testkit/ipmi';
import { run } from '../topology/ip-command.js';
import { renderLabChassisHook } from './chassis-hook.js';
import type { ServiceSpec } from './boot-script.js';

export const IPMI_PORT = 623;
const READY_TIMEOUT_MS = 15_000;

/** What a fencer needs to reach one server's BMC. */
export interface BmcAccess {
  readonly server: string;
  readonly address: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

interface BmcCommon {
  readonly server: string;
  readonly address: string;
  /** Holds lan.conf, ipmi_sim's state, the chassis hook and what the hook records. */
  readonly dir: string;
  readonly username: string;
  readonly password: string;
}

/** A namespace lab server: the hook cuts the namespace's links and kills its processes. */
interface NamespaceHostBmc extends BmcCommon {
  readonly hostNamespace: string;
  readonly nics: readonly string[];
  readonly bootScript: string;
}

/** Any other machine (a VM lab guest): the caller renders the hook for the BMC's directory. */
interface CustomHookBmc extends BmcCommon {
  readonly renderChassisHook: (stateDir: string) => string;
}

export type BmcFilesInput = NamespaceHostBmc | CustomHookBmc;

function chassisHookText(input: BmcFilesInput): string {
  if ('renderChassisHook' in input) return input.renderChassisHook(input.dir);
  return renderLabChassisHook({ stateDir: input.dir, hostNamespace: input.hostNamespace, nics: input.nics, bootScript: input.bootScript });
}

/** Write lan.conf, the emulator commands and the chassis hook; return the ipmi_sim service to run in the BMC namespace. */
export async function writeBmcFiles(input: BmcFilesInput): Promise<ServiceSpec> {
  await mkdir(join(input.dir, 'state'), { recursive: true });
  const hook = join(input.dir, 'chassis-hook.sh');
  await writeFile(hook, chassisHookText(input));
  await chmod(hook, 0o755);
  await writeFile(
    join(input.dir, 'lan.conf'),
    renderLanConf({
      name: `bmc-${input.server}`,
      address: input.address,
      port: IPMI_PORT,
      users: [{ username: input.username, password: input.password, privilege: 'admin' }],
      chassisHookPath: hook,
    }),
  );
  await writeFile(join(input.dir, 'sim.emu'), renderEmulatorCommands());
  await writeFile(join(input.dir, 'power'), '0\n');
  return {
    name: `ipmi-${input.server}`,
    argv: ['ipmi_sim', '-c', join(input.dir, 'lan.conf'), '-f', join(input.dir, 'sim.emu'), '-s', join(input.dir, 'state'), '-n'],
    cwd: input.dir,
  };
}

export function newBmcPassword(): string {
  return randomBytes(8).toString('hex');
}

/** ipmitool arguments for one BMC (cipher suite 3: ipmi_sim does not answer the cipher-suite query). */
export function ipmitoolArgv(bmc: BmcAccess, command: readonly string[]): string[] {
  return ['ipmitool', '-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-E', ...command];
}

/** Run ipmitool from inside a namespace (the BMC network is only reachable there). */
export async function ipmitoolFrom(ns: string, bmc: BmcAccess, command: readonly string[], timeoutMs = 10_000): Promise<string> {
  const result = await run('ip', ['netns', 'exec', ns, ...ipmitoolArgv(bmc, command)], {
    timeoutMs,
    env: { ...process.env, IPMI_PASSWORD: bmc.password } as Record<string, string>,
  });
  return result.stdout.trim();
}

/** Wait until the BMC answers `chassis power status` over real IPMI. */
export async function waitBmcReady(ns: string, bmc: BmcAccess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      await ipmitoolFrom(ns, bmc, ['chassis', 'power', 'status'], 3000);
      return;
    } catch (error) {
      last = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`lab: the BMC of ${bmc.server} (${bmc.address}) did not answer IPMI within ${READY_TIMEOUT_MS} ms: ${last}`);
}

export async function readPowerState(dir: string): Promise<'on' | 'off'> {
  const text = await readFile(join(dir, 'power'), 'utf8').catch(() => '0');
  return text.trim() === '1' ? 'on' : 'off';
}

/** Run the chassis hook directly (lab start powers servers on without going through IPMI). */
export async function runChassisHook(dir: string, args: readonly string[]): Promise<void> {
  await run(join(dir, 'chassis-hook.sh'), ['0x20', ...args], { timeoutMs: 15_000 });
}
