/**
 * The demo suite's shards as the demo world generated them (`npm run build`'s first use of each
 * task): exactly the files and bytes of the lock file, small, with balanced classes and mixed
 * audio formats.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { classIndex } from '../../../pipeline/data/labels.ts';
import { taskDataDir } from '../../../pipeline/data/prepare.ts';
import { readLabelledAudio } from '../../../pipeline/data/samples.ts';
import { lockFilePath, readShardLock } from '../../../pipeline/data/shard-lock.ts';
import { getSuite, suiteTasks } from '../../../pipeline/suites/index.ts';
import { taskShardNames } from '../../../pipeline/tasks/splits.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { classCount } from '../../../schemas/task.ts';
import { BUDGETS } from '../../support/budgets.ts';
import { demoWorld } from '../../support/demo-world.ts';

const demoTasks = suiteTasks(getSuite('demo'));
let cacheDir: string;

beforeAll(async () => {
  ({ cacheDir } = await demoWorld());
}, BUDGETS.demoWorld);

describe('demo suite, as generated', () => {
  const sizes = new Map<string, number>();

  it.each(demoTasks.map((task) => [task.id, task] as const))(
    '%s has exactly the shards of the lock file',
    async (id, task) => {
      const lock = await readShardLock(lockFilePath('demo'));
      const dir = taskDataDir(cacheDir, 'demo', task);
      const names = (await readdir(dir)).filter((name) => name.endsWith('.tar'));
      expect(names.sort()).toEqual(taskShardNames(task).sort());
      let size = 0;
      for (const name of names) {
        const bytes = await readFile(join(dir, name));
        expect(sha256Bytes(bytes), `${id}/${name}`).toBe(lock.shards[`${id}/${name}`]);
        size += bytes.byteLength;
      }
      sizes.set(id, size);
    },
  );

  it('stays under 20 MB in total', () => {
    expect(sizes.size).toBe(demoTasks.length);
    expect([...sizes.values()].reduce((sum, size) => sum + size, 0)).toBeLessThan(20_000_000);
  });

  it('has balanced classes, mixed sample rates and channel counts', async () => {
    const task = demoTasks.find((candidate) => candidate.id === 'demo_sound_events');
    if (task?.splits.kind !== 'standard') {
      throw new Error('demo_sound_events missing, or without standard splits');
    }
    const counts = new Map<number, number>();
    const rates = new Set<number>();
    const channels = new Set<number>();
    const dir = taskDataDir(cacheDir, 'demo', task);
    for await (const sample of readLabelledAudio(dir, task.splits.train, task.labels)) {
      const label = classIndex(sample.target);
      counts.set(label, (counts.get(label) ?? 0) + 1);
      rates.add(sample.sampleRate);
      channels.add(sample.channels.length);
    }
    const classes = classCount(task);
    const trainClips = [...counts.values()].reduce((sum, count) => sum + count, 0);
    expect(trainClips).toBeGreaterThan(0);
    expect(trainClips % classes).toBe(0);
    expect([...counts.values()]).toEqual(Array(classes).fill(trainClips / classes));
    expect(rates.size).toBeGreaterThanOrEqual(3);
    expect([...channels].sort()).toEqual([1, 2]);
  });
});
