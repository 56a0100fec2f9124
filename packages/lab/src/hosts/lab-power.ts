import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { IPMI_PORT, ipmitoolFrom, newBmcPassword, readPowerState, runChassisHook, waitBmcReady, writeBmcFiles, type BmcAccess } from './bmc-power.js';

const BMC_USER = 'admin';

/** Power of every server, through its ipmi_sim BMC. */
export interface LabPower {
  access(server: string): BmcAccess;
  /** Power off/on over real IPMI, sent from the BMC network (as an operator's laptop would). */
  powerOff(server: string): Promise<void>;
  powerOn(server: string): Promise<void>;
  state(server: string): Promise<'on' | 'off'>;
  /** Lines the chassis hook wrote. */
  hookLog(server: string): Promise<string>;
}

/** Start one ipmi_sim per server in the BMC namespace and power the servers on. */
export async function startPower(lab: Lab): Promise<LabPower> {
  const password = newBmcPassword();
  const bmcHost = lab.host('bmc');
  const bmcDir = (server: string): string => join(lab.dir, 'bmc', server);
  const access = new Map<string, BmcAccess>();
  for (const server of lab.servers) {
    const address = server.bmcAddress;
    if (address === undefined) throw new Error(`lab: server ${server.name} has no BMC address`);
    const service = await writeBmcFiles({
      server: server.name,
      address,
      dir: bmcDir(server.name),
      hostNamespace: server.namespace,
      nics: server.nics.map((n) => n.name),
      bootScript: lab.bootScriptPath(server.name),
      username: BMC_USER,
      password,
    });
    await lab.addService('bmc', service);
    access.set(server.name, { server: server.name, address, port: IPMI_PORT, username: BMC_USER, password });
  }
  for (const bmc of access.values()) await waitBmcReady(bmcHost.namespace, bmc);
  // Servers come up powered on: the hook records it and runs their (still empty) boot scripts.
  for (const server of lab.servers) await runChassisHook(bmcDir(server.name), ['set', 'power', '1']);
  const get = (server: string): BmcAccess => {
    const found = access.get(server);
    if (!found) throw new Error(`lab ${lab.id}: no BMC for "${server}"`);
    return found;
  };
  return {
    access: get,
    powerOff: async (server) => void (await ipmitoolFrom(bmcHost.namespace, get(server), ['chassis', 'power', 'off'], 20_000)),
    powerOn: async (server) => void (await ipmitoolFrom(bmcHost.namespace, get(server), ['chassis', 'power', 'on'], 20_000)),
    state: async (server) => readPowerState(bmcDir(get(server).server)),
    hookLog: async (server) => readFile(join(bmcDir(get(server).server), 'hook.log'), 'utf8').catch(() => ''),
  };
}
