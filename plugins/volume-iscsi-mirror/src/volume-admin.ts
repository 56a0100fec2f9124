import { DryRunCommandRunner, ok, outcome, sensitive, SystemClock, type CallContext, type Clock, type CommandRunner, type NodeInfo, type Outcome, type RecordedCommand } from '@tandem/core';
import { FakeMirrorHost } from './fake-mirror-host.js';
import { MirrorVolume } from './mirror-volume.js';
import { initiatorIqnFor, mdDevice, type VolumeOptions } from './options.js';
import { storageHostScript, targetScriptInput } from './target-script.js';
import { withoutPasswordEcho } from './targetcli-output.js';
import type { VolumeStatus } from './volume-status.js';

/** A cluster node (initiator side) or a storage host (target side). */
export type VolumeTarget = { readonly node: string } | { readonly array: string };

export interface VolumePlan {
  /** "node db1" or "storage host array1". */
  readonly target: string;
  readonly kind: 'initiator' | 'storage-host';
  /** The reviewable script: for a storage host, exactly what apply runs; for a node, apply's commands on a fresh host. */
  readonly script: string;
  /** For a node: every command in order, with its timeout (read-only queries included). */
  readonly commands: readonly RecordedCommand[];
}

export interface VolumeAdminDeps {
  readonly runner: CommandRunner;
  readonly clock?: Clock;
  /** The CHAP password, resolved: apply on a node writes it, a storage host's script reads it from its environment. */
  readonly chapPassword?: () => string | undefined;
}

/** A storage host's script runs about 15 targetcli calls, each a Python start-up. */
const STORAGE_SCRIPT_TIMEOUT_MS = 300_000;

/**
 * The operator's API behind `tandem volume plan|apply|status`: the same sequence the resource agent
 * runs, shown without running it (plan), run by hand (apply), or read (status).
 */
export class VolumeAdmin {
  constructor(
    private readonly options: VolumeOptions,
    private readonly nodes: readonly NodeInfo[],
    private readonly deps: VolumeAdminDeps,
  ) {}

  /** Every cluster node's initiator name: the ACLs each storage host needs. */
  initiators(): string[] {
    return this.nodes.map((n) => initiatorIqnFor(this.options.initiatorIqn, n.name));
  }

  /**
   * For a node: run the bring-up sequence against a simulated host on which nothing is set up yet
   * (iface, sessions, array all absent), recording every command with the DryRunCommandRunner. Disks
   * show as `<array1-disk>`: the real name is read from `iscsiadm -m session -P 3` after login.
   */
  async plan(target: VolumeTarget, create = false): Promise<Outcome<VolumePlan>> {
    if ('array' in target) return this.planStorageHost(target.array);
    const node = this.node(target.node);
    if (!node.ok) return node.outcome;
    const fake = new FakeMirrorHost(this.options);
    if (!create) fake.withCreatedArray();
    const dry = new DryRunCommandRunner({ responder: fake.responder });
    const volume = new MirrorVolume(this.options, node.node, {
      runner: dry,
      clock: new SystemClock(),
      chapPassword: () => (this.options.chap ? `<CHAP password from ${this.options.chap.password.describe()}>` : undefined),
    });
    const ctx: CallContext = { signal: new AbortController().signal, timeoutMs: this.options.commandTimeoutMs };
    const r = await volume.bringUp(ctx, create);
    if (!r.ok) return outcome(r.outcome.code, `planning ${mdDevice(this.options)} for ${node.node.name}: ${r.outcome.reason}`);
    const title = `tandem volume apply${create ? ' --create' : ''} --node ${node.node.name}: ${mdDevice(this.options)} on a host where nothing is set up yet`;
    const notes = [
      '# A review trace, in order: the read-only checks (cat, pidof, test, iscsiadm -m session/iface/node, mdadm --examine)',
      '# decide the next step; apply runs the same sequence and skips what the real host already has.',
      ...this.options.arrays.map((a) => `# <${a.name}-disk>: the disk ${a.targetIqn} attaches as (iscsiadm -m session -P 3, "Attached scsi disk").`),
    ];
    const [shebang, heading, ...rest] = dry.toScript(title).split('\n');
    return ok(`plan for node ${node.node.name}`, { target: `node ${node.node.name}`, kind: 'initiator', script: [shebang, heading, ...notes, ...rest].join('\n'), commands: dry.recorded });
  }

  private planStorageHost(arrayName: string): Outcome<VolumePlan> {
    const input = targetScriptInput(this.options, arrayName, this.initiators(), mdDevice(this.options));
    if (!input) return outcome('config-error', `no array named "${arrayName}"; the options name ${this.options.arrays.map((a) => a.name).join(', ')}`);
    const script = storageHostScript(input);
    return ok(`plan for storage host ${arrayName}`, {
      target: `storage host ${arrayName}`,
      kind: 'storage-host',
      script,
      commands: [{ file: 'sh', args: ['-s'], timeoutMs: STORAGE_SCRIPT_TIMEOUT_MS, input: script }],
    });
  }

  /** Run the plan for real with this host's runner: on a node, bring the volume up; on a storage host, run its script. */
  async apply(target: VolumeTarget, create: boolean, ctx: CallContext): Promise<Outcome<string>> {
    if ('array' in target) {
      const planned = this.planStorageHost(target.array);
      if (planned.code !== 'ok' || !planned.data) return outcome(planned.code, planned.reason);
      const r = await this.deps.runner.run({ file: 'sh', args: ['-s'], input: planned.data.script, env: this.scriptEnv(), timeoutMs: Math.min(STORAGE_SCRIPT_TIMEOUT_MS, ctx.timeoutMs), signal: ctx.signal });
      const stdout = r.kind === 'exited' ? withoutPasswordEcho(r.stdout) : '';
      const stderr = r.kind === 'exited' ? withoutPasswordEcho(r.stderr) : '';
      if (r.kind === 'exited' && r.exitCode === 0) return ok(`storage host ${target.array} set up`, stdout);
      if (r.kind === 'exited') return outcome(r.exitCode === 5 ? 'not-installed' : 'failed', `storage host script for ${target.array} exited ${r.exitCode}: ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`);
      return outcome(r.kind === 'not-installed' ? 'not-installed' : 'timeout', `storage host script for ${target.array}: ${r.kind}`);
    }
    const volume = this.volumeOn(target.node);
    if (!volume.ok) return volume.outcome;
    const r = await volume.volume.bringUp(ctx, create);
    return r.ok ? ok(r.value, r.value) : outcome(r.outcome.code, r.outcome.reason);
  }

  /** A child gets no inherited environment: the script's `$NAME` for an `{ env: NAME }` CHAP password is passed explicitly, marked sensitive. */
  private scriptEnv(): Record<string, ReturnType<typeof sensitive>> {
    const ref = this.options.chap?.password.ref;
    const password = this.deps.chapPassword?.();
    return ref && 'env' in ref && password !== undefined ? { [ref.env]: sensitive(password) } : {};
  }

  /** The volume as the given node (the one this runs on) sees it. */
  async status(nodeName: string, ctx: CallContext): Promise<Outcome<VolumeStatus>> {
    const volume = this.volumeOn(nodeName);
    if (!volume.ok) return volume.outcome;
    const seen = await volume.volume.observe(ctx);
    return seen.ok ? ok(seen.value.status.state, seen.value.status) : outcome(seen.outcome.code, seen.outcome.reason);
  }

  private volumeOn(nodeName: string): { ok: true; volume: MirrorVolume } | { ok: false; outcome: Outcome<never> } {
    const node = this.node(nodeName);
    if (!node.ok) return node;
    return { ok: true, volume: new MirrorVolume(this.options, node.node, { runner: this.deps.runner, clock: this.deps.clock ?? new SystemClock(), chapPassword: this.deps.chapPassword ?? (() => undefined) }) };
  }

  private node(name: string): { ok: true; node: NodeInfo } | { ok: false; outcome: Outcome<never> } {
    const node = this.nodes.find((n) => n.name === name);
    if (node) return { ok: true, node };
    return { ok: false, outcome: outcome('config-error', `node "${name}" is not in the config; known nodes: ${this.nodes.map((n) => n.name).join(', ')}`) };
  }
}
