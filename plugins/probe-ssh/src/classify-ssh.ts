import { outcome, type CommandResult, type Outcome, type OutcomeCode } from '@tandem/core';

/** ssh's complaints (exit 255) in the order they are tested; the first match decides. */
const RULES: readonly { readonly pattern: RegExp; readonly code: OutcomeCode; readonly say: string }[] = [
  // Before "Permission denied": ssh ignores an unusable key and then reports the refused login as well.
  {
    pattern: /UNPROTECTED PRIVATE KEY FILE|bad permissions|Load key .*: (No such file|Permission denied|invalid format)|no such identity/i,
    code: 'config-error',
    say: 'the identity file cannot be used; it must exist, be a private key, and be readable only by the agent (chmod 600)',
  },
  { pattern: /Permission denied/i, code: 'failed', say: 'authentication failed (the key was refused)' },
  { pattern: /Too many authentication failures/i, code: 'failed', say: 'authentication failed (too many attempts)' },
  {
    pattern: /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i,
    code: 'config-error',
    say: 'host key verification failed: the target key is not in options.knownHostsFile or has changed; rebuild it with ssh-keyscan after checking the key',
  },
  { pattern: /Connection timed out|timed out during banner exchange|Operation timed out/i, code: 'timeout', say: 'no answer in time (connect or banner exchange timed out)' },
  { pattern: /Connection refused/i, code: 'failed', say: 'unreachable: connection refused (no sshd listening)' },
  { pattern: /No route to host|Network is unreachable|Host is unreachable/i, code: 'failed', say: 'unreachable: no route to host' },
  { pattern: /Connection reset|Connection closed|kex_exchange_identification|Broken pipe/i, code: 'failed', say: 'the server closed the connection before login completed' },
  { pattern: /Could not resolve hostname|Name or service not known/i, code: 'config-error', say: 'cannot resolve the address; set options.address or the node NIC address' },
];

/** The last meaningful line ssh printed, for reasons; warnings about known hosts are noise here. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !/^Warning: Permanently added/.test(l));
  return lines.at(-1) ?? '(no output)';
}

/**
 * Turn one `ssh ... true` run into an outcome. Exit 0 is a completed login.
 * Exit 255 is ssh's own failure, sorted by what stderr says: refused key
 * (failed), refused or unroutable connection (failed), silence (timeout),
 * a host key we cannot trust (config-error). Any other exit means the login
 * worked but the account cannot run a command (a nologin shell): failed.
 */
export function classifySsh(where: string, result: CommandResult, timeoutMs: number): Outcome {
  switch (result.kind) {
    case 'not-installed':
      return outcome('not-installed', `ssh is not installed on this host: apt-get install ${result.debianPackage ?? 'openssh-client'}`);
    case 'timeout':
    case 'aborted':
      return outcome('timeout', `ssh ${where}: login did not finish within ${timeoutMs} ms`);
    case 'exited':
      break;
  }
  if (result.exitCode === 0) return outcome('ok', `ssh ${where}: logged in and ran true`);
  const said = lastLine(result.stderr || result.stdout);
  if (result.exitCode !== 255) return outcome('failed', `ssh ${where}: logged in but the account could not run true (exit ${result.exitCode}: ${said})`);
  const rule = RULES.find((r) => r.pattern.test(result.stderr));
  if (rule) return outcome(rule.code, `ssh ${where}: ${rule.say} [${said}]`);
  return outcome('unknown', `ssh ${where}: exit 255: ${said}`);
}
