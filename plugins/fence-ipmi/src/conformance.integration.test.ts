import { readFileSync, readdirSync } from 'node:fs';
import { ExecaCommandRunner, SystemClock } from '@tandem/core';
import { describeFencerConformance, type FencerSubject } from '@tandem/testkit';
// The coordinator re-exports ipmi/ from @tandem/testkit's index; until then, the folder's own index.
import { processAlive, startIpmiSim, type IpmiSim } from '@tandem/testkit';
import { IpmiFencer } from './ipmi-fencer.js';
import { ipmiFenceOptions } from './options.js';

const PASSWORD_ENV = 'TANDEM_TEST_BMC_PASSWORD';

function ipmitoolRunningFor(port: number): boolean {
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

/** A fresh ipmi_sim per check; the node's management address is the sim's (no `host` option), as in a real config. */
async function subject(frozen: boolean): Promise<FencerSubject> {
  const sim: IpmiSim = await startIpmiSim({ powerOnCommand: ['sleep', '1000'] });
  const options = ipmiFenceOptions.parse({ port: sim.port, username: sim.username, password: { env: PASSWORD_ENV }, cipherSuite: 3, pollIntervalMs: 100 });
  const failure = options.password.resolve({ [PASSWORD_ENV]: sim.password });
  if (failure) throw new Error(failure);
  // A stopped ipmi_sim keeps its port and answers nothing: fencing it cannot finish.
  if (frozen) sim.pause();
  return {
    fencer: new IpmiFencer(new ExecaCommandRunner(), new SystemClock(), options),
    node: { name: 'db1', nics: {}, management: sim.host },
    busy: async () => ipmitoolRunningFor(sim.port),
    cleanup: () => sim.stop(),
  };
}

describeFencerConformance('fence-ipmi against ipmi_sim', {
  unfence: true,
  timeoutMs: 10_000,
  create: () => subject(false),
  slow: () => subject(true),
});
