import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Lab } from '../lab.js';
import { labBinPath } from '../lab-bin.js';
import type { NicRole } from '../topology/lab-spec.js';
import { loadFaultTable, nextFaultTable } from './fault-tables.js';

const PROXY_READY_TIMEOUT_MS = 10_000;
const PROXY_PORT_OFFSET = 20_000;

export interface LinkDelayInput {
  readonly host: string;
  readonly port: number;
  readonly nic: NicRole;
  readonly delayMs: number;
  readonly lossPercent: number;
}

/** The nat rule that sends incoming connections for `port` on `iface` to the proxy. */
export function renderRedirect(table: string, iface: string, port: number, proxyPort: number): string {
  return [
    `table inet ${table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    iifname "${iface}" tcp dport ${port} counter redirect to :${proxyPort}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Start the delay proxy inside the host's namespace and redirect incoming
 * connections for the port through it. Connections opened before the fault
 * keep their direct path; connections through the proxy break when it heals.
 */
export async function startLinkDelay(lab: Lab, input: LinkDelayInput): Promise<() => Promise<void>> {
  const host = lab.host(input.host);
  const nic = lab.nic(input.host, input.nic);
  const proxyPort = input.port + PROXY_PORT_OFFSET;
  const child = spawn(
    'ip',
    ['netns', 'exec', host.namespace, process.execPath, labBinPath('faults/delay-proxy-main.js'), '--listen', `0.0.0.0:${proxyPort}`, '--target', `${nic.address}:${input.port}`, '--delay-ms', String(input.delayMs), '--loss-percent', String(input.lossPercent)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab: the delay proxy on ${input.host} did not start within ${PROXY_READY_TIMEOUT_MS} ms: ${stderr}`)), PROXY_READY_TIMEOUT_MS);
    createInterface({ input: child.stdout }).once('line', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab: the delay proxy on ${input.host} exited (${String(code)}): ${stderr}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const table = nextFaultTable('tandem_delay');
  let removeRedirect: () => Promise<void>;
  try {
    removeRedirect = await loadFaultTable(lab, input.host, table, renderRedirect(table, nic.name, input.port, proxyPort));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return async () => {
    await removeRedirect();
    child.kill('SIGTERM');
  };
}
