import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that read the shared demo world (tests/setup/demo-world.ts): `npm run build`'s
 * results, caches and site, built once per run in the background while the unit tests run.
 */
const DEMO_WORLD = [
  'tests/e2e/demo-build.test.ts',
  'tests/e2e/determinism.test.ts',
  'tests/e2e/shards.test.ts',
  'tests/e2e/interrupt.test.ts',
  'tests/e2e/concurrent-commands.test.ts',
  'tests/pipeline/scoring/fixture-leaderboard.test.ts',
  'tests/pipeline/example-encoders/examples.test.ts',
  'tests/pipeline/suites/demo-shards.test.ts',
];

/**
 * The smallest rehearsal of the X-ARES tasks: it needs no demo world, but runs in the second
 * group, beside the world's files that mostly wait on child processes, instead of slowing the
 * unit tests while the world builds (in the first group it made npm test 336 s).
 */
const REHEARSAL = ['tests/e2e/rehearsal.test.ts'];

/**
 * Unit test files that replace a module with `vi.mock`: they need a module graph of their own,
 * which the other unit files share to save each file a process start (see `isolate` below).
 */
const MOCKS_MODULES = ['tests/pipeline/audio/decode.test.ts'];

/**
 * Soaks and scale runs (`npm run test:slow`, which `.ci/run` runs after `npm test`): they repeat
 * or enlarge what a check in `npm test` already covers once.
 */
const SLOW = ['tests/slow/**/*.test.ts'];

/**
 * Files at a time in the second group: the lint file, which runs its four tools at once, and two
 * of the demo world's, which spend much of their time waiting on the pipeline's processes.
 */
const SECOND_GROUP_WORKERS = Math.max(3, availableParallelism());

/**
 * vitest's order (files that failed last time, then the slowest, then the largest), except that
 * the lint tools and the rehearsal start first in their group: they need nothing, where the demo
 * world's files may still wait for the world. Started last, the rehearsal ran alone for the
 * group's last 40 s while the demo world's files, which overlap one another, had finished.
 */
class WorldlessFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const worldless = (file: TestSpecification) =>
      file.project.name === 'lint' || file.project.name === 'rehearsal';
    return [...sorted.filter(worldless), ...sorted.filter((file) => !worldless(file))];
  }
}

export default defineConfig({
  test: {
    // onnxruntime-node is a native addon: test files run in forked processes, not threads (the
    // unit projects reuse their processes from file to file, see `isolate` below).
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default there is one): most end-to-end and
    // browser tests spend their time waiting on a child process, a server or Chromium.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: WorldlessFirst },
    globalSetup: ['tests/setup/chromium.ts'],
    // Unit tests keep the 30 s default; tests that start processes, build the site or drive a
    // browser set timeouts of their own (tests/support/budgets.ts), about ten times their idle
    // time, so that `npm test` passes on a 2-core machine busy with other work.
    testTimeout: 30_000,
    unstubEnvs: true,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: [...DEMO_WORLD, ...SLOW, ...MOCKS_MODULES, ...REHEARSAL, 'tests/lint/**'],
          // Unit files run one after another in worker processes kept for the run, instead of
          // a process each: about 20 s of CPU saved on 2 cores. They share the module graph,
          // so a file that replaces a module runs apart (MOCKS_MODULES), and environment stubs
          // are undone after every test (`unstubEnvs`).
          isolate: false,
          setupFiles: ['tests/setup/yield-to-demo-world.ts'],
          // First: while they run, the demo world builds on the other core. (Not 0: vitest runs
          // a single-worker project of group 0 last, after every numbered group.)
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-mocks',
          include: MOCKS_MODULES,
          setupFiles: ['tests/setup/yield-to-demo-world.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'lint',
          include: ['tests/lint/**/*.test.ts'],
          maxWorkers: SECOND_GROUP_WORKERS,
          // Beside the demo world's tests, which spend much of their time waiting on child
          // processes: the lint tools fill the cores they leave idle.
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'demo-world',
          include: DEMO_WORLD,
          maxWorkers: SECOND_GROUP_WORKERS,
          globalSetup: ['tests/setup/demo-world.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'rehearsal',
          include: REHEARSAL,
          maxWorkers: SECOND_GROUP_WORKERS,
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
