/**
 * Issue 27, finding 3: at start, evaluate removes the temporary files a killed run left, and
 * nothing else: not a user's file that happens to look like one, nor a file outside the folders
 * the pipeline writes.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryPath } from '../../../pipeline/io/files.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { evaluate } from '../../../pipeline/run/loop.ts';

/** A pid that no process has: above the kernel's largest. */
const DEAD_PID = 4_194_305;

async function plant(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, 'a user file\n');
  return path;
}

describe('removing what an interrupted run left', () => {
  it('removes only its own temporary files, and only in the folders it writes', async () => {
    const work = await mkdtemp(join(tmpdir(), 'temporaries-'));
    const results = join(work, 'results');
    const cache = join(work, 'cache');
    const submissions = join(work, 'submissions');
    await mkdir(submissions, { recursive: true });
    const kept = [
      await plant(join(results, 'my-notes', 'draft.2024.cafebabe.tmp')),
      await plant(join(results, 'my-notes', 'upload.31337.0badf00d.tmp')),
      await plant(join(results, 'runs', 'team', 'notes.31337.0badf00d.tmp')),
      await plant(join(cache, 'my-downloads', 'file.31337.0badf00d.tmp')),
      // Named as the pipeline names its temporaries, but in folders it does not write.
      await plant(temporaryPath(join(results, 'my-notes', 'x.json'), DEAD_PID)),
      await plant(temporaryPath(join(cache, 'my-downloads', 'y.json'), DEAD_PID)),
    ];
    // The pipeline's own leftovers, where it writes: these go.
    const leftovers = [
      await plant(temporaryPath(join(results, 'runs', 'team', 'esc50.json'), DEAD_PID)),
      await plant(temporaryPath(join(results, 'leaderboard.json'), DEAD_PID)),
      await plant(temporaryPath(join(cache, 'embeddings', 'a', 'shard.emb'), DEAD_PID)),
    ];
    await evaluate({
      suiteId: 'demo',
      resultsDir: results,
      cacheDir: cache,
      submissionsDir: submissions,
      allowEmpty: true,
      task: 'demo_tags',
      logger: createMemoryLogger(),
    });
    for (const path of kept) {
      expect(existsSync(path), path).toBe(true);
    }
    for (const path of leftovers) {
      expect(existsSync(path), path).toBe(false);
    }
  });
});
