import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Test-only: the keys and files a real sshd and the probe need, in one temp dir. */
export interface SshMaterial {
  readonly dir: string;
  readonly hostKey: string;
  /** The key sshd accepts (its .pub is in authorized_keys). */
  readonly clientKey: string;
  /** A valid key that sshd does not accept. */
  readonly wrongKey: string;
  readonly authorizedKeys: string;
  readonly knownHosts: string;
}

const SSHD = '/usr/sbin/sshd';

/** Fail loudly, naming the package, when OpenSSH is missing: these tests must not skip. */
export function requireOpenSsh(): void {
  for (const [file, pkg] of [
    [SSHD, 'openssh-server'],
    ['/usr/bin/ssh', 'openssh-client'],
    ['/usr/bin/ssh-keygen', 'openssh-client'],
  ] as const) {
    try {
      readFileSync(file);
    } catch {
      throw new Error(`${file} is missing: install it with: apt-get install -y ${pkg}`);
    }
  }
  // Debian's sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { timeout: 10_000 });
  chmodSync(path, 0o600);
}

export function makeSshMaterial(): SshMaterial {
  requireOpenSsh();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-probe-ssh-'));
  chmodSync(dir, 0o755);
  const m = {
    dir,
    hostKey: join(dir, 'host_ed25519'),
    clientKey: join(dir, 'client_ed25519'),
    wrongKey: join(dir, 'wrong_ed25519'),
    authorizedKeys: join(dir, 'authorized_keys'),
    knownHosts: join(dir, 'known_hosts'),
  };
  keygen(m.hostKey, 'probe-ssh test host');
  keygen(m.clientKey, 'probe-ssh test client');
  keygen(m.wrongKey, 'probe-ssh wrong client');
  writeFileSync(m.authorizedKeys, readFileSync(`${m.clientKey}.pub`));
  writeFileSync(m.knownHosts, '');
  return m;
}

/** A known_hosts line for the test host key, as ssh-keyscan would print it (`[addr]:port` for a port other than 22). */
export function knownHostsLine(m: SshMaterial, address: string, port: number): string {
  const [type, key] = readFileSync(`${m.hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const host = port === 22 ? address : `[${address}]:${port}`;
  return `${host} ${type} ${key}\n`;
}

/** A minimal sshd_config: key auth only, our files only, no PAM, no privilege checks on temp dirs. */
export function writeSshdConfig(m: SshMaterial, address: string, port: number): { config: string; argv: string[] } {
  const config = join(m.dir, `sshd_config_${address}_${port}`);
  const lines = [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${m.hostKey}`,
    `PidFile ${join(m.dir, `sshd_${port}.pid`)}`,
    `AuthorizedKeysFile ${m.authorizedKeys}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'LogLevel VERBOSE',
  ];
  writeFileSync(config, `${lines.join('\n')}\n`);
  return { config, argv: [SSHD, '-D', '-e', '-f', config] };
}
