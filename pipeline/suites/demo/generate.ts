/**
 * Writes the shards of a generated demo task in the X-ARES layout: `<key>.wav` + `<key>.json`
 * per sample, samples spread in order over the shard files the task declares.
 */
import { encodeWav } from '../../audio/wav.ts';
import { packTar, type ShardEntry } from '../../data/webdataset.ts';
import type { TaskDefinition } from '../../../schemas/task.ts';
import { splitShards } from '../../tasks/splits.ts';
import { SeededRandom } from '../../util/random.ts';
import { DEMO_GENERATORS } from './generators.ts';

/** Seed of all demo data; changing it changes every shard (and the lock file). */
export const DEMO_DATA_SEED = 20250701;

/** Generate every shard of `task`, returned as file name -> tar bytes. */
export async function generateDemoShards(task: TaskDefinition): Promise<Map<string, Buffer>> {
  if (task.source.kind !== 'generated') {
    throw new Error(`${task.id} is not a generated task`);
  }
  const generator = DEMO_GENERATORS[task.source.generator];
  if (!generator) {
    throw new Error(`${task.id}: no demo generator named "${task.source.generator}"`);
  }
  const classes = task.labels.classes;
  const shards = new Map<string, Buffer>();

  const generated = new Set<string>();
  for (const [group, shardNames] of splitShards(task)) {
    // Validation may reuse the test shards; write each list once.
    const listKey = shardNames.join('\n');
    if (generated.has(listKey)) {
      continue;
    }
    generated.add(listKey);
    const count = generator.clips[group];
    if (count === undefined) {
      throw new Error(`${task.id}: generator has no clip count for "${group}"`);
    }
    // Balanced classes in a shuffled order.
    const classOrder = new SeededRandom(DEMO_DATA_SEED, `${task.id}/${group}/order`).shuffle(
      Array.from({ length: count }, (_, i) => i % classes.length),
    );
    const entries: ShardEntry[][] = shardNames.map(() => []);
    classOrder.forEach((classIndex, i) => {
      const rng = new SeededRandom(DEMO_DATA_SEED, `${task.id}/${group}/${i}`);
      const clip = generator.synthesise(rng, classIndex);
      const key = `${task.id}_${group}_${i.toString().padStart(6, '0')}`;
      const shardIndex = Math.floor((i * shardNames.length) / count);
      const target = entries[shardIndex] as ShardEntry[];
      target.push({
        name: `${key}.wav`,
        bytes: encodeWav(clip.channels, clip.sampleRate, clip.encoding),
      });
      target.push({
        name: `${key}.json`,
        bytes: new TextEncoder().encode(JSON.stringify(generator.label(classIndex, classes))),
      });
    });
    for (const [index, name] of shardNames.entries()) {
      shards.set(name, await packTar(entries[index] as ShardEntry[]));
    }
  }
  return shards;
}
