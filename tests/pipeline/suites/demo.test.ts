import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  prepareTaskData,
  type PreparedTaskData,
  type ReadyTaskData,
} from '../../../pipeline/data/prepare.ts';
import { readShardLock } from '../../../pipeline/data/shard-lock.ts';
import { taskShardNames } from '../../../pipeline/tasks/splits.ts';
import { classCount } from '../../../schemas/task.ts';
import { classIndex } from '../../../pipeline/data/labels.ts';
import { readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { demoShardGenerator, generateDemoShards } from '../../../pipeline/suites/demo/generate.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';

const demoTasks = suiteTasks(getSuite('demo'));

function ready(data: PreparedTaskData): ReadyTaskData {
  if (data.status !== 'ready') {
    throw new Error(`not ready: ${data.reason}`);
  }
  return data;
}

describe('demo suite', () => {
  const sizes = new Map<string, number>();

  it.each(demoTasks.map((task) => [task.id, task] as const))(
    '%s regenerates exactly the shards of the lock file',
    async (id, task) => {
      const lock = await readShardLock('demo');
      const shards = await generateDemoShards(task);
      expect([...shards.keys()].sort()).toEqual(taskShardNames(task).sort());
      for (const [name, bytes] of shards) {
        expect(sha256Bytes(bytes), `${id}/${name}`).toBe(lock.shards[`${id}/${name}`]);
      }
      sizes.set(
        id,
        [...shards.values()].reduce((sum, bytes) => sum + bytes.byteLength, 0),
      );
    },
  );

  it('stays under 20 MB in total', () => {
    expect(sizes.size).toBe(demoTasks.length);
    expect([...sizes.values()].reduce((sum, size) => sum + size, 0)).toBeLessThan(20_000_000);
  });

  it('has balanced classes, mixed sample rates and channel counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    const task = demoTasks.find((candidate) => candidate.id === 'demo_sound_events');
    if (!task) {
      throw new Error('demo_sound_events missing');
    }
    const shards = await generateDemoShards(task);
    for (const [name, bytes] of shards) {
      await writeFile(join(dir, name), bytes);
    }
    const counts = new Map<number, number>();
    const rates = new Set<number>();
    const channels = new Set<number>();
    if (task.splits.kind !== 'standard') {
      throw new Error('expected standard splits');
    }
    for await (const sample of readLabelledAudio(dir, task.splits.train, task.labels)) {
      const label = classIndex(sample.target);
      counts.set(label, (counts.get(label) ?? 0) + 1);
      rates.add(sample.sampleRate);
      channels.add(sample.channels.length);
    }
    const classes = classCount(task);
    const trainClips =
      task.splits.train.length > 0
        ? [...counts.values()].reduce((sum, count) => sum + count, 0)
        : 0;
    expect(trainClips % classes).toBe(0);
    expect([...counts.values()]).toEqual(Array(classes).fill(trainClips / classes));
    expect(rates.size).toBeGreaterThanOrEqual(3);
    expect([...channels].sort()).toEqual([1, 2]);
  });
});

describe('prepareTaskData', () => {
  it('generates once, reuses the cache, and regenerates a corrupted shard', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const task = demoTasks[0];
    if (!task) {
      throw new Error('no demo task');
    }
    const lock = await readShardLock('demo');
    const logger = createMemoryLogger();
    const options = { cacheDir, suiteId: 'demo', lock, logger, generator: demoShardGenerator };

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
      lock: await readShardLock('demo'),
      logger: createMemoryLogger(),
    };
    await expect(prepareTaskData(task, options)).rejects.toThrow(
      /no shard generator was passed in/,
    );
  });
});
