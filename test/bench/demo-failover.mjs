#!/usr/bin/env node
// Runs `tandem demo --json` N times and reports, per failover step, the time
// after the crash (min / median / max). Prints one JSON line, then a table.
// Usage: node test/bench/demo-failover.mjs [runs=5]   (after npm run build)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const bin = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));
const steps = ['detect+confirm', 'gateway', 'elect', 'fence', 'compensate', 'promote', 'serve'];
const samples = Object.fromEntries(steps.map((s) => [s, []]));

for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, [bin, 'demo', '--json'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    console.error(`run ${i + 1}: demo exited ${r.status}\n${r.stderr}`);
    process.exit(1);
  }
  const d = JSON.parse(r.stdout);
  const crash = d.timeline.find((row) => row.step === 'crash').atWallMs;
  for (const row of d.timeline) if (row.step in samples && row.atWallMs !== undefined) samples[row.step].push(row.atWallMs - crash);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1), n: s.length };
};
const result = { bench: 'demo-failover', runs, msAfterCrash: Object.fromEntries(steps.map((s) => [s, stats(samples[s])])) };
console.log(JSON.stringify(result));
console.log(`${'step'.padEnd(16)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}`);
for (const s of steps) {
  const x = result.msAfterCrash[s];
  console.log(`${s.padEnd(16)}${String(x.min).padStart(8)}${String(x.median).padStart(8)}${String(x.max).padStart(8)}`);
}
