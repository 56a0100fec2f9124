#!/usr/bin/env node
// Brings up the 3-server PostgreSQL lab N times (namespaces, BMCs, Redis store,
// a primary and two streaming replicas) and takes it down again, timing each
// phase. Prints one JSON line, then a table. Needs root.
// Usage: node test/bench/lab-up.mjs [runs=5]   (after npm run build)
import { Lab, serversNamed, provisionPostgres } from '../../packages/lab/dist/index.js';

const runs = Number(process.argv[2] ?? 5);
const phases = { topology: [], postgres: [], total: [], down: [] };

for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const lab = await Lab.up({ servers: serversNamed(3), store: {} }, { needsPostgres: () => true });
  const t1 = performance.now();
  try {
    await provisionPostgres(lab, { primary: 's1', replicas: ['s2', 's3'] });
  } finally {
    const t2 = performance.now();
    await lab.down();
    const t3 = performance.now();
    phases.topology.push(t1 - t0);
    phases.postgres.push(t2 - t1);
    phases.total.push(t2 - t0);
    phases.down.push(t3 - t2);
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b).map(Math.round);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1), n: s.length };
};
const result = { bench: 'lab-up', runs, ms: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, stats(v)])) };
console.log(JSON.stringify(result));
console.log(`${'phase'.padEnd(34)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}`);
const names = { topology: 'namespaces, BMCs, Redis', postgres: 'primary + 2 streaming replicas', total: 'lab up (both)', down: 'lab down' };
for (const [k, v] of Object.entries(result.ms)) console.log(`${names[k].padEnd(34)}${String(v.min).padStart(8)}${String(v.median).padStart(8)}${String(v.max).padStart(8)}`);
