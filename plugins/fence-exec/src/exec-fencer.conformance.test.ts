import { afterAll, beforeAll } from 'vitest';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecaCommandRunner, type NodeInfo } from '@tandem/core';
import { describeFencerConformance, type FencerSubject } from '@tandem/testkit';
import { ExecFencer } from './exec-fencer.js';
import { execFencerOptions } from './exec-fencer-options.js';

// Real scripts run by the real command runner; "fenced" is a marker file holding the epoch.
const SCRIPTS: Record<string, string> = {
  'fence.sh': 'echo "$2" > "$FENCE_DIR/fenced-$1"\n',
  'status.sh': 'if [ -f "$FENCE_DIR/fenced-$1" ]; then echo "fenced at epoch $(cat "$FENCE_DIR/fenced-$1")"; exit 0; fi\necho "not fenced"; exit 1\n',
  'unfence.sh': 'rm -f "$FENCE_DIR/fenced-$1"\n',
  // Hangs like a BMC that never answers; `exec` keeps one pid so the runner's kill reaches it.
  'slow-fence.sh': 'echo $$ > "$FENCE_DIR/slow.pid"\nexec sleep 30\n',
};

let root: string;
let runs = 0;
const node: NodeInfo = { name: 'db1', nics: { public: { name: 'lo', address: '127.0.0.1', prefixLength: 8 } } };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-fence-exec-'));
  for (const [name, body] of Object.entries(SCRIPTS)) {
    await writeFile(join(root, name), `#!/bin/sh\n${body}`);
    await chmod(join(root, name), 0o755);
  }
});
afterAll(async () => rm(root, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function subject(fenceScript: string): Promise<FencerSubject> {
  // Each subject gets its own marker directory, so every check starts with the node not fenced.
  const dir = await mkdtemp(join(root, `run-${runs++}-`));
  const options = execFencerOptions.parse({
    fence: [join(root, fenceScript), '{node}', '{epoch}'],
    status: [join(root, 'status.sh'), '{node}'],
    unfence: [join(root, 'unfence.sh'), '{node}'],
    env: { FENCE_DIR: dir },
  });
  return {
    fencer: new ExecFencer(options, new ExecaCommandRunner()),
    node,
    busy: async () => {
      const pid = Number(await readFile(join(dir, 'slow.pid'), 'utf8').catch(() => '0'));
      return pid > 0 && isAlive(pid);
    },
  };
}

describeFencerConformance('fence-exec with real shell scripts', {
  unfence: true,
  abortGraceMs: 1500,
  create: () => subject('fence.sh'),
  slow: () => subject('slow-fence.sh'),
});
