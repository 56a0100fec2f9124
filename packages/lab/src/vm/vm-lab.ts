import { mkdir, rm, truncate, writeFile, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { NETWORKS } from '../topology/address-plan.js';
import { ip, inNamespace } from '../topology/ip-command.js';
import { namespaceName, newLabId, switchNamespace } from '../topology/lab-names.js';
import { NIC_NAMES, type NicRole } from '../topology/lab-spec.js';
import { registerLab, sweepStaleLabs, unregisterLab } from '../topology/lab-registry.js';
import { removeNamespaces } from '../topology/namespace-cleanup.js';
import { guardLab, releaseLab } from '../hosts/exit-guard.js';
import { waitForPort } from '../hosts/wait-for-port.js';
import { IPMI_PORT, newBmcPassword, waitBmcReady, writeBmcFiles, type BmcAccess } from '../hosts/bmc-power.js';
import { renderVmChassisHook } from './vm-chassis-hook.js';
import { guestPaths } from './qemu-argv.js';
import { ensureGuestKernel, VM_CACHE_DIR } from './guest-kernel.js';
import { ensureInitramfs } from './initramfs.js';
import { renderBootScript, renderControlScript } from './guest-scripts.js';
import { VmGuest } from './vm-guest.js';
import { parseVmLabSpec, planGuestNics, PREFIX_LENGTH, type VmLabSpec, type VmLabSpecInput } from './vm-spec.js';
import { vmLabPreflight } from './vm-preflight.js';

/** The guest runs the compiled control server straight from this tree (the host's root is the guest's). */
const CONTROL_JS = fileURLToPath(new URL('../../dist/vm/guest-control.js', import.meta.url));

export interface VmLabOptions {
  /** Default /tmp/tandem-vmlab. Guests see the same path. */
  readonly baseDir?: string;
}

/** The BMCs' user; the password is random per lab. */
const BMC_USER = 'admin';

/** A namespace host of the VM lab (gateway, store, tester, bmc): a veth into one bridge. */
export interface VmAuxHost {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

/**
 * Guests under qemu TCG booting Debian's kernel, for what the host kernel
 * lacks (LIO, iSCSI initiator, md, netem). Each guest's NICs are taps on the
 * same per-network bridges as the namespace lab's, in a switch namespace;
 * the gateway, the Redis store and a tester are namespace hosts on them.
 */
export class VmLab {
  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly spec: VmLabSpec,
    private readonly guestMap: ReadonlyMap<string, VmGuest>,
    readonly aux: ReadonlyMap<string, VmAuxHost>,
    private readonly namespaces: readonly string[],
    private readonly bmcMap: ReadonlyMap<string, BmcAccess>,
  ) {}

  static async up(input: VmLabSpecInput, options: VmLabOptions = {}): Promise<VmLab> {
    const spec = parseVmLabSpec(input);
    vmLabPreflight({ bmcs: Object.keys(spec.bmcs ?? {}).length > 0 });
    const kernel = await ensureGuestKernel();
    const initramfs = await ensureInitramfs(kernel, VM_CACHE_DIR);
    await sweepStaleLabs();
    const id = newLabId();
    const dir = join(resolve(options.baseDir ?? '/tmp/tandem-vmlab'), id);
    await mkdir(join(dir, 'disks'), { recursive: true });
    const sw = switchNamespace(id);
    const bmcAddresses = Object.entries(spec.bmcs ?? {});
    const auxNames = ['gw', ...(spec.store ? ['store'] : []), ...(spec.tester ? ['tester'] : []), ...(bmcAddresses.length > 0 ? ['bmc'] : [])];
    const namespaces = [sw, ...auxNames.map((a) => namespaceName(id, a))];
    await registerLab({ id, ownerPid: process.pid, namespaces, dir, createdAt: new Date().toISOString() });
    guardLab(id, namespaces);
    const guests = new Map<string, VmGuest>();
    const aux = new Map<string, VmAuxHost>();
    const bmcs = new Map<string, BmcAccess>();
    const lab = new VmLab(id, dir, spec, guests, aux, namespaces, bmcs);
    try {
      await ip(undefined, ['netns', 'add', sw]);
      await ip(sw, ['link', 'set', 'lo', 'up']);
      for (const role of ['public', 'storage', 'privateA', 'privateB'] as const) {
        await ip(sw, ['link', 'add', NETWORKS[role].bridge, 'type', 'bridge']);
        await ip(sw, ['link', 'set', NETWORKS[role].bridge, 'up']);
      }
      aux.set('gw', await addAuxHost(id, 'gw', 'public', spec.gateway, 1));
      if (spec.store) aux.set('store', await addAuxHost(id, 'store', 'public', spec.store.address, 2));
      if (spec.tester) aux.set('tester', await addAuxHost(id, 'tester', 'storage', spec.tester, 3));
      if (bmcAddresses.length > 0) aux.set('bmc', await startBmcs(lab, bmcAddresses, bmcs));
      for (const d of spec.sharedDisks) await truncate(await touch(join(dir, 'disks', `${d.id}.img`)), d.sizeMiB * 1024 * 1024);
      const plan = planGuestNics(spec);
      for (const [gi, g] of spec.guests.entries()) {
        const gdir = join(dir, g.name);
        await mkdir(gdir);
        const nics = (plan[gi] ?? []).map((n, i) => ({ ...n, index: i, tap: `v${id.slice(1, 5)}g${gi}n${i}`, mac: `52:54:00:${hex(gi)}:${hex(i)}:${id.slice(5, 7) || '00'}` }));
        for (const n of nics) {
          await ip(sw, ['tuntap', 'add', 'dev', n.tap, 'mode', 'tap']);
          await ip(sw, ['link', 'set', n.tap, 'master', NETWORKS[n.role].bridge, 'up']);
        }
        const disks = [];
        for (const d of g.disks) {
          const path = join(dir, 'disks', `${g.name}-${d.id}.img`);
          await truncate(await touch(path), d.sizeMiB * 1024 * 1024);
          disks.push({ id: d.id, path, shared: false });
        }
        for (const sid of g.sharedDisks) disks.push({ id: sid, path: join(dir, 'disks', `${sid}.img`), shared: true });
        await writeFile(join(gdir, 'boot.sh'), renderBootScript({ name: g.name, dir: gdir, kernelVersion: kernel.version, modulesDir: join(kernel.root, 'lib/modules', kernel.version), nics, gateway: spec.gateway }));
        await writeFile(join(gdir, 'control.sh'), renderControlScript(process.execPath, CONTROL_JS, gdir));
        guests.set(g.name, new VmGuest(g.name, { name: g.name, dir: gdir, memoryMiB: g.memoryMiB, vmlinuz: kernel.vmlinuz, initramfs, nics, disks }, sw, nics));
      }
      if (spec.store) await startRedis(lab, spec.store.address, spec.store.port);
      // Boot one at a time: two TCG guests booting together on 2 cores take longer than in turn.
      for (const g of guests.values()) await g.powerOn();
      return lab;
    } catch (error) {
      await lab.down({ keepDir: true }).catch(() => undefined);
      throw error;
    }
  }

  get guests(): VmGuest[] {
    return [...this.guestMap.values()];
  }

  guest(name: string): VmGuest {
    const g = this.guestMap.get(name);
    if (!g) throw new Error(`vm lab: no guest named ${name} (guests: ${[...this.guestMap.keys()].join(', ')})`);
    return g;
  }

  /**
   * What a fencer needs to reach a guest's BMC (spec \`bmcs\`): its address on
   * the public network, port 623, user \`admin\` and the lab's password (for
   * configs, and TANDEM_IPMI_PASSWORD in the agent's environment).
   */
  bmcAccess(guest: string): BmcAccess {
    const bmc = this.bmcMap.get(guest);
    if (!bmc) throw new Error(`vm lab: guest ${guest} has no BMC (the spec's bmcs name: ${[...this.bmcMap.keys()].join(', ') || 'none'})`);
    return bmc;
  }

  /** Run a command in a namespace host (gw, store, tester, bmc). */
  async auxExec(name: string, argv: readonly string[], timeoutMs = 60_000) {
    const host = this.aux.get(name);
    if (!host) throw new Error(`vm lab: no namespace host named ${name}`);
    return inNamespace(host.namespace, argv, { timeoutMs, allowFailure: true });
  }

  async down(options: { keepDir?: boolean } = {}): Promise<void> {
    const errors: string[] = [];
    for (const g of this.guestMap.values()) await g.powerOff().catch((e: Error) => errors.push(e.message));
    await removeNamespaces(this.namespaces).catch((e: Error) => errors.push(e.message));
    releaseLab(this.id);
    await unregisterLab(this.id);
    if (!options.keepDir) await rm(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`vm lab ${this.id}: teardown had problems:\n  ${errors.join('\n  ')}`);
  }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

async function touch(path: string): Promise<string> {
  await (await open(path, 'w')).close();
  return path;
}

async function addAuxHost(labId: string, name: string, role: NicRole, address: string, index: number): Promise<VmAuxHost> {
  const sw = switchNamespace(labId);
  const ns = namespaceName(labId, name);
  await ip(undefined, ['netns', 'add', ns]);
  await ip(ns, ['link', 'set', 'lo', 'up']);
  const port = `a${index}`;
  await ip(sw, ['link', 'add', port, 'type', 'veth', 'peer', 'name', NIC_NAMES[role], 'netns', ns]);
  await ip(sw, ['link', 'set', port, 'master', NETWORKS[role].bridge, 'up']);
  await ip(ns, ['addr', 'add', `${address}/${PREFIX_LENGTH[role]}`, 'dev', NIC_NAMES[role]]);
  await ip(ns, ['link', 'set', NIC_NAMES[role], 'up']);
  return { name, namespace: ns, address };
}

async function startRedis(lab: VmLab, address: string, port: number): Promise<void> {
  const host = lab.aux.get('store');
  if (!host) return;
  const log = await open(join(lab.dir, 'redis.log'), 'a');
  const child = spawn('ip', ['netns', 'exec', host.namespace, 'redis-server', '--bind', address, '--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no', '--dir', lab.dir], { stdio: ['ignore', log.fd, log.fd], detached: true });
  child.unref();
  await log.close();
  await waitForPort(host.namespace, address, port, 10_000, 'redis-server on the VM lab store host');
}

/** Where a guest's BMC keeps its files; \`_\` cannot start a guest name, so it never meets a guest's directory. */
const bmcDir = (labDir: string, guest: string): string => join(labDir, '_bmc', guest);

/**
 * One ipmi_sim per guest named in the spec's \`bmcs\`, all in one namespace
 * host \`bmc\` on the public bridge holding every BMC address. The chassis
 * hook kills the guest's qemu; power on stays with VmGuest.
 */
async function startBmcs(lab: VmLab, addresses: readonly (readonly [string, string])[], out: Map<string, BmcAccess>): Promise<VmAuxHost> {
  const [first, ...rest] = addresses;
  if (!first) throw new Error('vm lab: startBmcs needs at least one BMC address');
  const host = await addAuxHost(lab.id, 'bmc', 'public', first[1], 4);
  for (const [, address] of rest) await ip(host.namespace, ['addr', 'add', `${address}/${PREFIX_LENGTH.public}`, 'dev', NIC_NAMES.public]);
  const password = newBmcPassword();
  for (const [guest, address] of addresses) {
    const dir = bmcDir(lab.dir, guest);
    const pidFile = guestPaths(join(lab.dir, guest)).pid;
    const service = await writeBmcFiles({ server: guest, address, dir, username: BMC_USER, password, renderChassisHook: (stateDir) => renderVmChassisHook({ stateDir, guest, pidFile }) });
    const log = await open(join(dir, 'ipmi_sim.log'), 'a');
    const child = spawn('ip', ['netns', 'exec', host.namespace, ...service.argv], { cwd: dir, stdio: ['ignore', log.fd, log.fd], detached: true });
    child.unref();
    await log.close();
    out.set(guest, { server: guest, address, port: IPMI_PORT, username: BMC_USER, password });
  }
  for (const bmc of out.values()) await waitBmcReady(host.namespace, bmc);
  return host;
}
