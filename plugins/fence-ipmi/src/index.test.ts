import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { Clock, CommandRunner, DryRunCommandRunner, Fencer, PluginOptions, SystemClock, isPluginManifest } from '@tandem/core';
import fenceIpmi, { IpmiFencer } from './index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('fence-ipmi manifest', () => {
  it('is a plugin manifest whose id matches package.json and provides Fencer', () => {
    expect(isPluginManifest(fenceIpmi)).toBe(true);
    expect(fenceIpmi.id).toBe(packageJson.tandem.id);
    expect(fenceIpmi.provides).toEqual(['Fencer']);
  });

  it('declares ipmitool from the Debian package ipmitool', () => {
    const options = fenceIpmi.options.parse({ username: 'u', password: { env: 'P' } });
    expect(fenceIpmi.requires?.(options)).toEqual([expect.objectContaining({ file: 'ipmitool', debianPackage: 'ipmitool' })]);
  });

  it('applies defaults and refuses an inline password, an unknown option and a bad action', () => {
    const options = fenceIpmi.options.parse({ username: 'u', password: { file: '/etc/tandem/bmc.pw' } });
    expect(options).toMatchObject({ port: 623, action: 'off', verifyTimeoutMs: 15_000, pollIntervalMs: 500, requestTimeoutS: 1, retries: 2 });
    expect(fenceIpmi.options.safeParse({ username: 'u', password: 'plain' }).success).toBe(false);
    expect(fenceIpmi.options.safeParse({ username: 'u', password: { env: 'P' }, passwd: 'x' }).success).toBe(false);
    expect(fenceIpmi.options.safeParse({ username: 'u', password: { env: 'P' }, action: 'reboot' }).success).toBe(false);
    // ipmitool reads -R 0 as its default of 4 retries, which would silently stretch every call.
    expect(fenceIpmi.options.safeParse({ username: 'u', password: { env: 'P' }, retries: 0 }).success).toBe(false);
  });

  it('its module binds an IpmiFencer that resolves Clock and CommandRunner from the parent container', () => {
    const root = new Container();
    root.load(
      new ContainerModule(({ bind }) => {
        bind(Clock).toConstantValue(new SystemClock());
        bind(CommandRunner).toConstantValue(new DryRunCommandRunner());
      }),
    );
    const child = new Container({ parent: root });
    const options = fenceIpmi.options.parse({ username: 'u', password: { env: 'P' } });
    child.load(new ContainerModule(({ bind }) => void bind(PluginOptions).toConstantValue(options)));
    child.load(fenceIpmi.module({ id: 'bmc', options, localNode: { name: 'db1', nics: {} }, nodes: [] }));
    expect(child.get<Fencer>(Fencer)).toBeInstanceOf(IpmiFencer);
  });
});
