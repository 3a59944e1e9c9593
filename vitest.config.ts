import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files that read the shared demo world (tests/setup/demo-world.ts): `npm run build`'s
 * results, caches and site, built once per run in the background while the unit tests run.
 */
const DEMO_WORLD = [
  'tests/e2e/demo-build.test.ts',
  'tests/e2e/determinism.test.ts',
  'tests/e2e/shards.test.ts',
  'tests/e2e/interrupt.test.ts',
  'tests/pipeline/scoring/fixture-leaderboard.test.ts',
  'tests/pipeline/example-encoders/examples.test.ts',
];

/**
 * Soaks and scale runs (`npm run test:slow`, which `.ci/run` runs after `npm test`): they repeat
 * or enlarge what a check in `npm test` already covers once.
 */
const SLOW = ['tests/slow/**/*.test.ts'];

export default defineConfig({
  test: {
    // onnxruntime-node is a native addon: keep every test file in its own forked process.
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default there is one): most end-to-end and
    // browser tests spend their time waiting on a child process, a server or Chromium.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['tests/setup/chromium.ts'],
    // Unit tests keep the 30 s default; tests that start processes, build the site or drive a
    // browser set timeouts of their own (tests/support/budgets.ts), about ten times their idle
    // time, so that `npm test` passes on a 2-core machine busy with other work.
    testTimeout: 30_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: [...DEMO_WORLD, ...SLOW],
          // First: while they run, the demo world builds on the other core. (Not 0: vitest runs
          // a single-worker project of group 0 last, after every numbered group.)
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'demo-world',
          include: DEMO_WORLD,
          globalSetup: ['tests/setup/demo-world.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: SLOW, sequence: { groupOrder: 3 } },
      },
    ],
  },
});
