import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Lab } from '../lab.js';
import { waitForPort } from './wait-for-port.js';

const SSHD = '/usr/sbin/sshd';
const execFileAsync = promisify(execFile);

/**
 * The account ssh probes log in as: /bin/sh, no home, no rc files. Not
 * root: root's shell runs ~/.bashrc even for `ssh host true`, and on this
 * machine kind that starts `pyenv rehash`, which waits on a lock file that a
 * power cut in the lab can leave behind, so every later login hung.
 */
export const PROBE_ACCOUNT = 'tandem-probe';

/** Create PROBE_ACCOUNT when missing (root only): a system user whose password field is `*`, not locked, since sshd without PAM refuses locked accounts. */
export async function ensureProbeAccount(): Promise<string> {
  const known = await execFileAsync('id', ['-u', PROBE_ACCOUNT]).then(
    () => true,
    () => false,
  );
  if (!known) await execFileAsync('useradd', ['--system', '--shell', '/bin/sh', '--no-create-home', '--home-dir', '/nonexistent', PROBE_ACCOUNT], { timeout: 10_000 });
  await execFileAsync('usermod', ['-p', '*', PROBE_ACCOUNT], { timeout: 10_000 });
  return PROBE_ACCOUNT;
}

/** What an ssh probe needs to log in to the lab's servers. */
export interface LabSsh {
  readonly user: string;
  readonly identityFile: string;
  /** Every server's host key at its public address: nothing is learnt on first use. */
  readonly knownHostsFile: string;
}

async function keygen(path: string, comment: string): Promise<void> {
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { timeout: 10_000 });
  await chmod(path, 0o600);
}

/**
 * sshd on each server's public address as a lab service (so a power cut
 * kills it and power on brings it back), each with its own host key, and
 * one client key PROBE_ACCOUNT may log in with. Key auth only, no PAM.
 */
export async function startLabSshd(lab: Lab, servers: readonly string[] = lab.servers.map((s) => s.name)): Promise<LabSsh> {
  for (const [file, pkg] of [[SSHD, 'openssh-server'], ['/usr/bin/ssh-keygen', 'openssh-client']] as const) {
    if (!existsSync(file)) throw new Error(`lab: ${file} is missing (apt-get install -y ${pkg}); the config has an ssh probe`);
  }
  // Debian's sshd will not start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const user = await ensureProbeAccount();
  const dir = join(lab.dir, 'ssh');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const identityFile = join(dir, 'probe_ed25519');
  await keygen(identityFile, 'tandem lab probe');
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${identityFile}.pub`));
  const known: string[] = [];
  for (const server of servers) {
    const address = lab.address(server, 'public');
    const hostKey = join(dir, `host_${server}_ed25519`);
    await keygen(hostKey, `tandem lab ${server}`);
    const [type, key] = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/);
    known.push(`${address} ${type} ${key}`);
    const config = join(dir, `sshd_config_${server}`);
    const lines = [`ListenAddress ${address}`, 'Port 22', `HostKey ${hostKey}`, `PidFile ${join(dir, `sshd_${server}.pid`)}`, `AuthorizedKeysFile ${authorizedKeys}`, 'UsePAM no', 'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin no'];
    await writeFile(config, `${lines.join('\n')}\n`);
    await lab.addService(server, { name: 'sshd', argv: [SSHD, '-D', '-e', '-f', config] });
  }
  const knownHostsFile = join(dir, 'known_hosts');
  await writeFile(knownHostsFile, `${known.join('\n')}\n`);
  for (const server of servers) {
    const other = servers.find((s) => s !== server) ?? server;
    const address = lab.address(server, 'public');
    await waitForPort(lab.host(other).namespace, address, 22, 10_000, `sshd on ${server}`);
    // A login as the probe makes it, so a lab whose keys are wrong fails here and not as a false failure later.
    const login = await lab.exec(other, ['ssh', '-F', 'none', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHostsFile}`, '-o', 'IdentitiesOnly=yes', '-i', identityFile, '-T', `${user}@${address}`, 'true'], { timeoutMs: 15_000, allowFailure: true });
    if (login.exitCode !== 0) throw new Error(`lab: ssh from ${other} to ${server} (${address}) failed: ${login.stderr.trim()}; sshd log: ${join(lab.dir, 'hosts', server, 'logs', 'sshd.log')}`);
  }
  return { user, identityFile, knownHostsFile };
}
