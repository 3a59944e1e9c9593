/**
 * Results depend on the inputs only: not on the encoder batch size (no padding ever reaches the
 * encoder), and not on whether a run was killed and resumed (embeddings are cached per shard,
 * heads are seeded).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../pipeline/run/loop.ts';
import { createMemoryLogger } from '../../pipeline/log.ts';
import { resultFile } from '../../schemas/results-layout.ts';
import { REPOSITORY_ROOT } from '../support/build-site.ts';
import { BUDGETS } from '../support/budgets.ts';
import { commitFreeResult } from '../support/demo-scores.ts';
import { copyOfDemoWorld, demoWorld } from '../support/demo-world.ts';
import { deterministicFiles, launch } from '../support/pipeline-process.ts';

async function embeddingFiles(cacheDir: string): Promise<string[]> {
  const root = join(cacheDir, 'embeddings');
  if (!existsSync(root)) {
    return [];
  }
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.name.endsWith('.emb')) {
        found.push(path);
      }
    }
  };
  await walk(root);
  return found;
}

describe('results do not depend on the encoder batch size', () => {
  const TASKS = ['demo_sound_events', 'demo_timbre'];
  const SLUGS = ['logmel-baseline', 'random-conv', 'random-transformer'];
  let world: string;
  let batchesOfOne: string;

  beforeAll(async () => {
    // The world encoded every crop in batches of each task's default, 16; here every crop is
    // encoded again alone, from the same shards and checker verdicts.
    world = (await demoWorld()).resultsDir;
    const copy = await copyOfDemoWorld('batch-1-', { without: ['embeddings'], results: false });
    batchesOfOne = copy.resultsDir;
    for (const task of TASKS) {
      await evaluate({
        suiteId: 'demo',
        resultsDir: copy.resultsDir,
        cacheDir: copy.cacheDir,
        submissionsDir: join(REPOSITORY_ROOT, 'submissions'),
        task,
        encodeBatchSize: 1,
        logger: createMemoryLogger(),
      });
    }
  }, BUDGETS.demoWorld);

  it('writes byte-identical results with batches of 1 and of 16 crops', async () => {
    for (const slug of SLUGS) {
      for (const task of TASKS) {
        expect(
          commitFreeResult(await readFile(resultFile(batchesOfOne, slug, task), 'utf8')),
          `${slug} x ${task}`,
        ).toBe(commitFreeResult(await readFile(resultFile(world, slug, task), 'utf8')));
      }
    }
  });
});

// A killed CLI evaluation and its resumption, about 5 s on an idle 2-core machine.
describe('a run killed with SIGKILL mid-task', { timeout: BUDGETS.pipelineRun }, () => {
  // Five shards, encoded by the slowest example: the kill lands with shards still to encode.
  const slug = 'random-transformer';
  const task = 'demo_timbre';
  const ARGS = ['evaluate', '--submission', slug, '--task', task];

  it('loses no finished shard and ends with the same bytes as a run never interrupted', async () => {
    // The world's results less this one, its shards and checker verdicts, no embedding cached:
    // the world itself is the run never interrupted.
    const world = (await demoWorld()).resultsDir;
    const { work, resultsDir, cacheDir } = await copyOfDemoWorld('killed-', {
      without: ['embeddings'],
    });
    await rm(resultFile(resultsDir, slug, task));
    const interrupted = launch(work, ARGS);
    // Kill as soon as the first shard's embeddings reach the cache: the other shards and the
    // head's training are still to come.
    let cachedAtKill: string[] = [];
    while (cachedAtKill.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      cachedAtKill = await embeddingFiles(cacheDir);
    }
    interrupted.kill('SIGKILL');
    const killed = await interrupted.exited;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(resultFile(resultsDir, slug, task))).toBe(false);

    const resuming = launch(work, ARGS);
    expect((await resuming.exited).code).toBe(0);
    // The shards finished before the kill were read from the cache, not encoded again.
    expect(resuming.output()).toMatch(/encoded on cpu, [1-9]\d* from the cache/);
    for (const file of cachedAtKill) {
      expect(existsSync(file)).toBe(true);
    }
    // The result and the leaderboard rebuilt from it are the world's, byte for byte.
    expect(await deterministicFiles(resultsDir)).toEqual(await deterministicFiles(world));
    // Every write is a temporary file renamed into place: after the resumed run no half-written
    // file is left anywhere, in the results or the caches.
    const leftovers = (await readdir(work, { recursive: true })).filter((name) =>
      /\.(tmp|part)$/.test(name),
    );
    expect(leftovers).toEqual([]);
  });
});
