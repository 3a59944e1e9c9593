/**
 * Soak: kill -9 at 20 seeded random moments of a whole run (data checks, encoding, the head, the
 * result writes, the leaderboard rebuild) never changes what a rerun ends with, and never leaves
 * a temporary file. One kill at a chosen moment is checked in `npm test`
 * (tests/e2e/determinism.test.ts); this repeats it where the moments fall by chance.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../pipeline/util/random.ts';
import { BUDGETS } from '../support/budgets.ts';
import { deterministicFiles, launch, temporaryFiles } from '../support/pipeline-process.ts';

const SLUG = 'logmel-baseline';

describe('evaluate killed at random moments', { timeout: BUDGETS.soak }, () => {
  /** A cache with the demo data and the checker's verdicts, but no embeddings. */
  let prepared: string;
  beforeAll(async () => {
    prepared = await mkdtemp(join(tmpdir(), 'kill-soak-prepared-'));
    const run = launch(prepared, ['evaluate', '--submission', SLUG, '--task', 'demo_tags']);
    expect((await run.exited).code).toBe(0);
    await rm(join(prepared, 'cache', 'embeddings'), { recursive: true, force: true });
    await rm(join(prepared, 'results'), { recursive: true, force: true });
  }, BUDGETS.pipelineRun);

  async function fresh(name: string): Promise<string> {
    const work = await mkdtemp(join(tmpdir(), `kill-soak-${name}-`));
    await cp(join(prepared, 'cache'), join(work, 'cache'), { recursive: true });
    return work;
  }

  it('ends with the same bytes after kill -9 at 20 random moments, leaving no temporary file', async () => {
    const args = ['evaluate', '--submission', SLUG, '--task', 'demo_tags'];
    const reference = await fresh('reference');
    const started = Date.now();
    expect((await launch(reference, args).exited).code).toBe(0);
    const duration = Date.now() - started;
    const expected = await deterministicFiles(join(reference, 'results'));
    expect(expected.size).toBe(2);

    const random = new SeededRandom(19, 'kill moments');
    const work = await fresh('killed');
    for (let attempt = 0; attempt < 20; attempt++) {
      // A fresh start each time (no results, no embeddings), killed anywhere in a whole run:
      // data checks, encoding, the head, the result writes, the leaderboard rebuild.
      await rm(join(work, 'results'), { recursive: true, force: true });
      await rm(join(work, 'cache', 'embeddings'), { recursive: true, force: true });
      const run = launch(work, args);
      const moment = random.uniform(0, duration);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, moment)), run.exited]);
      run.kill('SIGKILL');
      await run.exited;
      const rerun = launch(work, args);
      const outcome = await rerun.exited;
      expect({ attempt, moment, code: outcome.code }).toEqual({ attempt, moment, code: 0 });
      const files = await deterministicFiles(join(work, 'results'));
      expect({ attempt, moment, files }).toEqual({ attempt, moment, files: expected });
      expect(await temporaryFiles(work)).toEqual([]);
    }
  });
});
