/**
 * Stopping and killing evaluate (issue 19, findings 3, 4 and 9): SIGTERM to npm and SIGINT to
 * node stop the whole process tree, rebuild the leaderboard from what finished and say what was
 * kept (commands that wait for each other: tests/e2e/concurrent-commands.test.ts). (kill -9 at 20 random moments is the soak
 * tests/slow/kill-soak.test.ts; one kill mid-task is in tests/e2e/determinism.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS } from '../support/budgets.ts';
import { copyOfDemoWorld } from '../support/demo-world.ts';
import {
  deterministicFiles,
  isRunning,
  launch,
  leaderboardProblems,
  lockHolder,
  temporaryFiles,
  until,
} from '../support/pipeline-process.ts';

const SLUG = 'logmel-baseline';

describe('evaluate asked to stop', { timeout: BUDGETS.pipelineRun }, () => {
  /** A folder with the world's demo data and checker verdicts, but no embeddings or results. */
  async function fresh(name: string): Promise<string> {
    return (
      await copyOfDemoWorld(`interrupt-${name}-`, { without: ['embeddings'], results: false })
    ).work;
  }

  it('stops the whole tree on SIGTERM to npm, rebuilds the leaderboard and says what was kept', async () => {
    const work = await fresh('npm');
    const run = launch(work, ['evaluate', '--submission', SLUG], 'npm');
    await until(() => /Track A/.test(run.output()), 'the first result');
    const node = await lockHolder(work);
    expect(node).toBeDefined();
    run.kill('SIGTERM');
    await run.exited;
    await run.closed;
    await until(() => !isRunning(node ?? 0), 'the node process to end');
    expect(run.output()).toMatch(/interrupted by SIGTERM .*: kept [1-9]\d* results? evaluated/);
    expect(run.output()).toContain('leaderboard rebuilt in');
    // Not every task ran: it stopped, it did not finish the work after npm was gone.
    const results = [...(await deterministicFiles(join(work, 'results'))).keys()];
    expect(results.filter((name) => name.startsWith('runs/')).length).toBeLessThan(7);
    expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
    expect(await temporaryFiles(work)).toEqual([]);
  });

  it('exits 130 on SIGINT to node and 143 on SIGTERM, with the leaderboard rebuilt', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const work = await fresh(signal);
      const run = launch(work, ['evaluate', '--submission', SLUG]);
      await until(() => /Track A/.test(run.output()), 'the first result');
      run.kill(signal);
      expect((await run.exited).code).toBe(code);
      expect(run.output()).toMatch(new RegExp(`interrupted by ${signal}: kept`));
      expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
      expect(await temporaryFiles(work)).toEqual([]);
    }
  });

  it('stops as for SIGPIPE when its output is closed (`| head`), releasing the lock with the board rebuilt (issue 27, finding 4)', async () => {
    const work = await fresh('pipe');
    const run = launch(work, ['evaluate', '--submission', SLUG, '--log-format', 'plain']);
    await until(() => /Track A/.test(run.output()), 'the first result');
    run.closeOutput();
    expect((await run.exited).code).toBe(141);
    expect(await lockHolder(work)).toBeUndefined();
    expect(await leaderboardProblems(join(work, 'results'))).toEqual([]);
    expect(await temporaryFiles(work)).toEqual([]);
    const results = [...(await deterministicFiles(join(work, 'results'))).keys()];
    expect(results.filter((name) => name.startsWith('runs/')).length).toBeLessThan(7);
  });
});
