import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  prepareTaskData,
  type PreparedTaskData,
  type ReadyTaskData,
} from '../../../pipeline/data/prepare.ts';
import { lockFilePath, readShardLock } from '../../../pipeline/data/shard-lock.ts';
import { taskShardNames } from '../../../pipeline/tasks/splits.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { demoShardGenerator } from '../../../pipeline/suites/demo/generate.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';

/** The generator's output as a whole (every task's shards against the lock file, class balance,
 * size) is checked on the demo world's shards: tests/pipeline/suites/demo-shards.test.ts. */
const demoTasks = suiteTasks(getSuite('demo'));

function ready(data: PreparedTaskData): ReadyTaskData {
  if (data.status !== 'ready') {
    throw new Error(`not ready: ${data.reason}`);
  }
  return data;
}

describe('prepareTaskData', () => {
  it('generates once, reuses the cache, and regenerates a corrupted shard', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const task = demoTasks[0];
    if (!task) {
      throw new Error('no demo task');
    }
    const lock = await readShardLock(lockFilePath('demo'));
    const logger = createMemoryLogger();
    const options = {
      cacheDir,
      suiteId: 'demo',
      lock,
      lockFile: lockFilePath('demo'),
      logger,
      generator: demoShardGenerator,
    };

    const first = ready(await prepareTaskData(task, options));
    expect(logger.lines.some((line) => line.startsWith(`generating ${task.id}`))).toBe(true);
    logger.lines.length = 0;
    const second = ready(await prepareTaskData(task, options));
    expect(second.shards).toEqual(first.shards);
    expect(logger.lines).toEqual([]);

    const victim = join(first.dir, taskShardNames(task)[0] ?? '');
    const bytes = await readFile(victim);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 1;
    await writeFile(victim, bytes);
    const third = ready(await prepareTaskData(task, options));
    expect(third.shards).toEqual(first.shards);
    expect(logger.lines.some((line) => line.startsWith(`generating ${task.id}`))).toBe(true);
    // Said, not done in silence (issue 27, finding 10): which shard, and what happens.
    expect(logger.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^warning: ${task.id}: cached shard ${taskShardNames(task)[0] ?? ''} has sha256 [0-9a-f]{64}, the lock file says [0-9a-f]{64} \\(damaged on disk\\?\\); generating the task's shards again$`,
        ),
      ),
    );
  });

  it('refuses a generated task when no generator is passed in (data/ does not own the demo)', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const task = demoTasks[0];
    if (!task) {
      throw new Error('no demo task');
    }
    const options = {
      cacheDir,
      suiteId: 'demo',
      lock: await readShardLock(lockFilePath('demo')),
      lockFile: lockFilePath('demo'),
      logger: createMemoryLogger(),
    };
    await expect(prepareTaskData(task, options)).rejects.toThrow(
      /no shard generator was passed in/,
    );
  });
});
