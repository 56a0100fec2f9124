import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tiers are vitest projects. `unit` needs nothing but Node; `integration`
 * starts real servers (redis-server, ipmi_sim, postgres) on loopback, and
 * its lab tests (packages/lab, test/lab) need root and network namespaces.
 * Integration files run one at a time: labs and servers share 2 cores.
 * `npm test` runs every tier; a test that cannot run (not root, a missing
 * package) fails, naming what is missing, instead of skipping.
 */
const conditions = ['@tandem/source'];
const shared = { resolve: { conditions }, ssr: { resolve: { conditions } } } as const;

export default defineConfig({
  // This file lives in test/; paths below are relative to the repository root.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.integration.test.ts', 'plugins/*/src/**/*.integration.test.ts', 'test/integration/**/*.test.ts', 'test/lab/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
