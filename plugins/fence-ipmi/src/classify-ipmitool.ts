import { outcome, type CommandResult, type Outcome } from '@tandem/core';

export type PowerState = 'on' | 'off';

// Lines verbose ipmitool prints on every run; they say nothing about a failure.
const NOISE = [/^Loading IANA PEN Registry/, /^Running Get VSO Capabilities/, /^Discovered IPMB address/, /^Get HPM\.x Capabilities/, /^Invalid completion code received: Invalid command/];

// The BMC answered and refused these credentials or this privilege: retrying will not help.
const REFUSED = [
  /RAKP 2 HMAC is invalid/i,
  /unauthorized name/i,
  /unauthorized role/i,
  /insufficient privilege/i,
  /invalid authentication algorithm/i,
  /invalid integrity algorithm/i,
  /invalid confidentiality algorithm/i,
  /no matching cipher suite/i,
  /Unable to read password from environment/i,
  /password .* (too long|invalid)/i,
];

// Nothing (usable) came back from the address.
const SILENT = [/Get Auth Capabilities error/i, /No response from remote controller/i, /Unable to establish IPMI v2/i, /Insufficient resources for session/i, /Address lookup for .* failed/i];

/** The stderr lines worth showing an operator, last few only, bounded. */
export function stderrSummary(stderr: string, maxChars = 400): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.some((re) => re.test(l)));
  const text = lines.slice(-4).join('; ');
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
}

/**
 * Turn one ipmitool run into an outcome. `ok` carries stdout; the callers
 * parse it. `what` names the command in the reason ("ipmitool chassis power off at 10.0.0.5:623").
 */
export function classifyRun(result: CommandResult, what: string): Outcome<string> {
  switch (result.kind) {
    case 'not-installed':
      return outcome('not-installed', `${what}: ${result.message}`);
    case 'aborted':
      return outcome('timeout', `${what}: the caller's deadline passed after ${Math.round(result.durationMs)} ms`);
    case 'timeout':
      return outcome('timeout', `${what}: no result within ${Math.round(result.durationMs)} ms${withStderr(result.stderr)}`);
    case 'exited':
      break;
  }
  if (result.exitCode === 0) return outcome('ok', `${what}: ${result.stdout.trim()}`, result.stdout);
  const detail = stderrSummary(result.stderr) || `exit code ${result.exitCode}`;
  if (REFUSED.some((re) => re.test(result.stderr))) {
    return outcome('config-error', `${what}: the BMC refused the session or command (${detail}); check username, password, privilegeLevel and cipherSuite`);
  }
  if (SILENT.some((re) => re.test(result.stderr))) {
    return outcome('failed', `${what}: the BMC did not answer (${detail})`);
  }
  return outcome('failed', `${what}: ipmitool failed (${detail})`);
}

function withStderr(stderr: string): string {
  const s = stderrSummary(stderr);
  return s === '' ? '' : ` (ipmitool said: ${s})`;
}

/** Read "Chassis Power is on|off" from `chassis power status`; undefined when the text is something else. */
export function parsePowerStatus(stdout: string): PowerState | undefined {
  const m = /Chassis Power is (on|off)\b/i.exec(stdout);
  return m ? (m[1]!.toLowerCase() as PowerState) : undefined;
}
