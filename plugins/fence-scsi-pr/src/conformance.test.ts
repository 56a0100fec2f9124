import { SystemClock, type CommandResult, type CommandRunner, type CommandSpec, type NodeInfo } from '@tandem/core';
import { describeFencerConformance, describeResourceAgentConformance, type FencerSubject } from '@tandem/testkit';
import { scsiPrOptions } from './options.js';
import { KeyScheme } from './pr-key.js';
import { ScsiPrClaimAgent } from './scsi-pr-claim-agent.js';
import { ScsiPrFencer } from './scsi-pr-fencer.js';
import { PrModel } from './testing/pr-model.js';

// The real sg_persist needs a kernel with a SCSI target (LIO); the VM lab runs it for real.
// Here the in-memory PR table answers sg_persist as a target would, one initiator per node.
const DEVICES = ['/dev/sdb', '/dev/sdc'];
const scheme = new KeyScheme(['db1', 'db2'], { db1: 1, db2: 2 });
const options = scsiPrOptions.parse({ devices: DEVICES });
const db1: NodeInfo = { name: 'db1', nics: {} };
const db2: NodeInfo = { name: 'db2', nics: {} };

/** A target that never answers: each sg_persist hangs until its signal fires. */
class HangingRunner implements CommandRunner {
  inFlight = 0;
  async run(spec: CommandSpec): Promise<CommandResult> {
    this.inFlight++;
    await new Promise<void>((resolve) => {
      if (spec.signal?.aborted) resolve();
      spec.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    this.inFlight--;
    return { kind: 'aborted', durationMs: 0 };
  }
  async which(file: string): Promise<string | undefined> {
    return `/usr/bin/${file}`;
  }
}

function fencerSubject(): FencerSubject {
  // db1 is the primary at epoch 2: registered and holding both LUNs; db2 fences it.
  const model = new PrModel(DEVICES);
  for (const d of DEVICES) model.register('db1', d, scheme.keyOf('db1', 2), 5);
  return { fencer: new ScsiPrFencer(model.initiator('db2'), new SystemClock(), options, scheme, db2), node: db1 };
}

function slowFencerSubject(): FencerSubject {
  const runner = new HangingRunner();
  return { fencer: new ScsiPrFencer(runner, new SystemClock(), options, scheme, db2), node: db1, busy: async () => runner.inFlight > 0 };
}

// unfence is not declared: the suite's check wants the fenced node registered again afterwards, and a
// registration belongs to the initiator that sends it, so db2 cannot register db1. db1 registers itself
// when it next becomes primary (the claim resource); see README "Unfence".
describeFencerConformance('fence-scsi-pr on an in-memory PR table', {
  create: async () => fencerSubject(),
  slow: async () => slowFencerSubject(),
});

describeResourceAgentConformance('fence-scsi-pr claim resource on an in-memory PR table', {
  roles: true,
  create: async () => ({ agent: new ScsiPrClaimAgent(new PrModel(DEVICES).initiator('db1'), new SystemClock(), options, scheme, db1) }),
});
