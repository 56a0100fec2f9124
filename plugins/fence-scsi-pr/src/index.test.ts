import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { Clock, CommandRunner, DryRunCommandRunner, Fencer, PluginOptions, ResourceAgent, SystemClock, isPluginManifest } from '@tandem/core';
import fenceScsiPr, { ScsiPrClaimAgent, ScsiPrFencer } from './index.js';
import packageJson from '../package.json' with { type: 'json' };

const BY_PATH = '/dev/disk/by-path/ip-10.0.3.21:3260-iscsi-iqn.2003-01.org.linux-iscsi.stor1:mirror-a-lun-0';

describe('fence-scsi-pr manifest', () => {
  it('is a plugin manifest whose id matches package.json, providing Fencer and ResourceAgent', () => {
    expect(isPluginManifest(fenceScsiPr)).toBe(true);
    expect(fenceScsiPr.id).toBe(packageJson.tandem.id);
    expect(fenceScsiPr.provides).toEqual(['Fencer', 'ResourceAgent']);
  });

  it('requires sg_persist, and iscsiadm only when a device is given by IQN', () => {
    const byPath = fenceScsiPr.options.parse({ devices: [BY_PATH] });
    expect(fenceScsiPr.requires?.(byPath).map((c) => [c.file, c.debianPackage])).toEqual([['sg_persist', 'sg3-utils']]);
    const byIqn = fenceScsiPr.options.parse({ devices: [{ targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a' }] });
    expect(byIqn.devices[0]).toEqual({ targetIqn: 'iqn.2003-01.org.linux-iscsi.stor1:mirror-a', lun: 0 });
    expect(fenceScsiPr.requires?.(byIqn).map((c) => c.file)).toEqual(['sg_persist', 'iscsiadm']);
  });

  it('applies defaults and refuses bad options with messages that name the fix', () => {
    expect(fenceScsiPr.options.parse({ devices: [BY_PATH] })).toMatchObject({ reservationType: 5, commandTimeoutMs: 10_000 });
    const messages = (input: unknown) => {
      const r = fenceScsiPr.options.safeParse(input);
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    };
    expect(messages({ devices: [] })).toMatch(/devices: devices must list at least one shared LUN/);
    expect(messages({ devices: ['sdb'] })).toMatch(/devices.0:/);
    expect(messages({ devices: [BY_PATH], nodeIds: { db1: 0 } })).toMatch(/nodeIds.db1: .*0 would make key 0/);
    expect(messages({ devices: [BY_PATH], reservationType: 1 })).toMatch(/reservationType is 5 .* or 6/);
    expect(messages({ devices: [BY_PATH], device: 'x' })).not.toBe('');
  });

  it('its module binds a fencer and a claim agent that resolve Clock and CommandRunner from the parent', () => {
    const root = new Container();
    root.load(
      new ContainerModule(({ bind }) => {
        bind(Clock).toConstantValue(new SystemClock());
        bind(CommandRunner).toConstantValue(new DryRunCommandRunner());
      }),
    );
    const child = new Container({ parent: root });
    const options = fenceScsiPr.options.parse({ devices: [BY_PATH] });
    child.load(new ContainerModule(({ bind }) => void bind(PluginOptions).toConstantValue(options)));
    const nodes = [{ name: 'db1', nics: {} }, { name: 'db2', nics: {} }];
    child.load(fenceScsiPr.module({ id: 'pr', options, localNode: nodes[1]!, nodes }));
    expect(child.get<Fencer>(Fencer)).toBeInstanceOf(ScsiPrFencer);
    expect(child.get(ResourceAgent)).toBeInstanceOf(ScsiPrClaimAgent);
  });
});
