import { ExecaCommandRunner, SystemClock } from '@tandem/core';
import { describeFencerConformance, type FencerSubject } from '@tandem/testkit';
import { ipmitoolRunningFor, startIpmiSim, type IpmiSim } from '@tandem/testkit';
import { IpmiFencer } from './ipmi-fencer.js';
import { ipmiFenceOptions } from './options.js';

const PASSWORD_ENV = 'TANDEM_TEST_BMC_PASSWORD';


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
