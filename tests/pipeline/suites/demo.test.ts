import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareTaskData, readShardLock } from '../../../pipeline/data/prepare.ts';
import { taskShardNames } from '../../../pipeline/tasks/splits.ts';
import { readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { createMemoryLogger } from '../../../pipeline/log.ts';
import { generateDemoShards } from '../../../pipeline/suites/demo/generate.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';

const demoTasks = suiteTasks(getSuite('demo'));

describe('demo suite', () => {
  it.each(demoTasks.map((task) => [task.id, task] as const))(
    '%s regenerates exactly the shards of the lock file',
    async (id, task) => {
      const lock = await readShardLock('demo');
      const shards = await generateDemoShards(task);
      expect([...shards.keys()].sort()).toEqual(taskShardNames(task).sort());
      for (const [name, bytes] of shards) {
        expect(sha256Bytes(bytes), `${id}/${name}`).toBe(lock.shards[`${id}/${name}`]);
      }
    },
  );

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
      counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
      rates.add(sample.sampleRate);
      channels.add(sample.channels.length);
    }
    expect([...counts.values()]).toEqual(
      Array(task.labels.classes.length).fill(144 / task.labels.classes.length),
    );
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
    const options = { cacheDir, suiteId: 'demo', lock, logger };

    const first = await prepareTaskData(task, options);
    expect(logger.lines.some((line) => line.startsWith(`generating ${task.id}`))).toBe(true);
    logger.lines.length = 0;
    const second = await prepareTaskData(task, options);
    expect(second.shards).toEqual(first.shards);
    expect(logger.lines).toEqual([]);

    const victim = join(first.dir, taskShardNames(task)[0] ?? '');
    const bytes = await readFile(victim);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 1;
    await writeFile(victim, bytes);
    const third = await prepareTaskData(task, options);
    expect(third.shards).toEqual(first.shards);
    expect(logger.lines.some((line) => line.startsWith(`generating ${task.id}`))).toBe(true);
  });
});
