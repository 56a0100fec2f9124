import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-udp-port.js';
import { renderChassisHook, renderEmulatorCommands, renderLanConf, type IpmiSimPrivilege, type IpmiSimUser } from './ipmi-sim-files.js';
import { rmcpPing } from './rmcp-ping.js';

export interface IpmiSimOptions {
  /** Default `admin`. */
  readonly username?: string;
  /** Default: random per run. */
  readonly password?: string;
  /** Default `admin`. */
  readonly privilege?: IpmiSimPrivilege;
  /** More accounts, e.g. a `user`-level one to test insufficient privilege. */
  readonly extraUsers?: readonly IpmiSimUser[];
  /** Chassis power when the BMC comes up. Default `on` (and the host command is started). */
  readonly initialPower?: 'on' | 'off';
  /**
   * The "host" behind the BMC: started in its own process group on power on,
   * killed with SIGKILL (the whole group) on power off. E.g. `['sleep', '1000']`.
   */
  readonly powerOnCommand?: readonly string[];
  /** Default 127.0.0.1. Only loopback or addresses in a namespace you created. */
  readonly address?: string;
  /** Default 10000. */
  readonly startTimeoutMs?: number;
}

/** A running ipmi_sim: a BMC speaking IPMI 1.5/2.0 over LAN whose chassis power runs a generated hook. */
export interface IpmiSim {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Holds lan.conf, the command file, the hook, its state (`power`, `hook.log`, `host.pgid`) and ipmi_sim's state dir. */
  readonly dir: string;
  readonly pid: number;
  /**
   * ipmitool arguments that reach this BMC, up to (not including) the command.
   * Cipher suite 3 is given because ipmi_sim does not answer "Get Channel
   * Cipher Suites", and ipmitool would spend seconds asking. The password
   * goes in `IPMI_PASSWORD` (see `ipmitoolEnv`), never in argv.
   */
  ipmitoolArgs(): string[];
  ipmitoolEnv(): Record<string, string>;
  /** What the chassis hook last recorded. */
  powerState(): Promise<'on' | 'off'>;
  /** Lines the hook wrote (`<ms> set power 0`, `<ms> killed process group 123`, ...). */
  hookLog(): Promise<string[]>;
  /** Process group of the running "host", if any. */
  hostPgid(): Promise<number | undefined>;
  /** Make an existing process group the host that power off kills (for a lab that starts hosts itself). */
  attachHost(pgid: number): Promise<void>;
  /** SIGSTOP / SIGCONT ipmi_sim: a BMC that keeps its port but answers nothing. */
  pause(): void;
  resume(): void;
  /** Stop ipmi_sim (SIGTERM, then SIGKILL), kill the host group, remove the directory. Safe to call twice. */
  stop(): Promise<void>;
}

const OUTPUT_CHARS_MAX = 16_384;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort if a test run dies without its afterAll: never leave ipmi_sim behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** True while a process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function writeFiles(dir: string, port: number, address: string, users: readonly IpmiSimUser[], options: IpmiSimOptions): Promise<void> {
  const hookPath = join(dir, 'chassis-hook.sh');
  await writeFile(hookPath, renderChassisHook({ stateDir: dir, ...(options.powerOnCommand ? { powerOnCommand: options.powerOnCommand } : {}) }));
  await chmod(hookPath, 0o755);
  await writeFile(join(dir, 'lan.conf'), renderLanConf({ name: 'tandem-sim', address, port, users, chassisHookPath: hookPath }));
  await writeFile(join(dir, 'sim.emu'), renderEmulatorCommands());
  await writeFile(join(dir, 'power'), '0\n');
  // ipmi_sim keeps persistent BMC data (users, SEL) here; a fresh one per run keeps runs independent.
  await mkdir(join(dir, 'state'));
}

/** Run the hook once ourselves so the BMC comes up powered on with its host running. */
async function runHook(dir: string, args: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(join(dir, 'chassis-hook.sh'), ['0x20', ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`chassis hook ${args.join(' ')} exited with ${String(code)}`));
    });
  });
}

/**
 * Start a real ipmi_sim (Debian package openipmi) on a free UDP port of
 * 127.0.0.1 and wait until it answers an RMCP ping. Fails loudly, with the
 * apt-get line, when ipmi_sim is not installed. Call `stop()` in afterAll.
 */
export async function startIpmiSim(options: IpmiSimOptions = {}): Promise<IpmiSim> {
  const address = options.address ?? '127.0.0.1';
  const username = options.username ?? 'admin';
  const password = options.password ?? randomBytes(6).toString('hex');
  const users: IpmiSimUser[] = [{ username, password, privilege: options.privilege ?? 'admin' }, ...(options.extraUsers ?? [])];
  const dir = await mkdtemp(join(tmpdir(), 'tandem-ipmi-sim-'));
  const port = await freeUdpPort(address);
  await writeFiles(dir, port, address, users, options);
  if ((options.initialPower ?? 'on') === 'on') await runHook(dir, ['set', 'power', '1']);
  const child = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'sim.emu'), '-s', join(dir, 'state'), '-n'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  installExitHook();
  const sim = handle(child, { host: address, port, username, password, dir });
  try {
    await waitReady(child, sim, options.startTimeoutMs ?? 10_000);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return sim;
}

function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_CHARS_MAX);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

async function waitReady(child: ChildProcess, sim: IpmiSim, timeoutMs: number): Promise<void> {
  const output = captureOutput(child);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error('ipmi_sim is not installed on this host; install it with: apt-get install -y openipmi (tests also need: apt-get install -y ipmitool)')
          : error,
      );
    });
    child.once('exit', (code, signal) => reject(new Error(`ipmi_sim exited (${String(code ?? signal)}) before it answered on ${sim.host}:${sim.port}:\n${output()}`)));
  });
  const answered = await Promise.race([rmcpPing(sim.host, sim.port, timeoutMs), failed]);
  if (!answered) throw new Error(`ipmi_sim did not answer an RMCP ping on ${sim.host}:${sim.port} within ${timeoutMs} ms:\n${output()}`);
}

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dir: string;
}

function handle(child: ChildProcess, at: Endpoint): IpmiSim {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A spawn failure (ENOENT) also ends the child; treat it as exited.
  child.once('error', () => undefined);
  const alive = (): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const waitExit = async (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  };
  const read = async (name: string): Promise<string | undefined> => readFile(join(at.dir, name), 'utf8').catch(() => undefined);
  const hostPgid = async (): Promise<number | undefined> => {
    const text = (await read('host.pgid'))?.trim();
    return text ? Number(text) : undefined;
  };
  return {
    ...at,
    pid: child.pid ?? -1,
    ipmitoolArgs: () => ['-I', 'lanplus', '-C', '3', '-H', at.host, '-p', String(at.port), '-U', at.username, '-E'],
    ipmitoolEnv: () => ({ IPMI_PASSWORD: at.password }),
    powerState: async () => ((await read('power'))?.trim() === '1' ? 'on' : 'off'),
    hookLog: async () => ((await read('hook.log')) ?? '').split('\n').filter((l) => l !== ''),
    hostPgid,
    attachHost: async (pgid) => writeFile(join(at.dir, 'host.pgid'), `${pgid}\n`),
    pause: () => void (alive() && child.kill('SIGSTOP')),
    resume: () => void (alive() && child.kill('SIGCONT')),
    async stop(): Promise<void> {
      if (alive()) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await waitExit(3000);
        if (alive()) child.kill('SIGKILL');
        await waitExit(3000);
      }
      running.delete(child);
      const pgid = await hostPgid();
      if (pgid !== undefined && pgid > 1) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // the host group is already gone
        }
      }
      await rm(at.dir, { recursive: true, force: true });
    },
  };
}

/** Whether an ipmitool process aimed at `port` is still running: tests use it to prove a cancelled call left nothing behind. */
export function ipmitoolRunningFor(port: number): boolean {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    const p = argv.indexOf('-p');
    if (argv[0]?.endsWith('ipmitool') && p >= 0 && argv[p + 1] === String(port) && processAlive(Number(pid))) return true;
  }
  return false;
}
