/**
 * Writes the shards of a generated demo task in the X-ARES layout: `<key>.wav` or `<key>.flac`
 * plus `<key>.json` per sample, samples spread in order over the shard files the task declares.
 */
import { encodeFlac } from '../../audio/flac.ts';
import { encodeWav } from '../../audio/wav.ts';
import type { ShardGenerator } from '../../data/prepare.ts';
import { packTar, type ShardEntry } from '../../data/webdataset.ts';
import type { TaskDefinition } from '../../../schemas/task.ts';
import { splitShards } from '../../tasks/splits.ts';
import { SeededRandom } from '../../util/random.ts';
import type { SynthesisedClip } from './generator.ts';
import { DEMO_GENERATORS } from './generators.ts';

/** Seed of all demo data; changing it changes every shard (and the lock file). */
export const DEMO_DATA_SEED = 20250701;

async function encodeClip(
  clip: SynthesisedClip,
): Promise<{ extension: string; bytes: Uint8Array }> {
  switch (clip.format) {
    case 'flac16':
      return { extension: 'flac', bytes: await encodeFlac(clip.channels, clip.sampleRate, 16) };
    case 'wav24':
      return { extension: 'wav', bytes: encodeWav(clip.channels, clip.sampleRate, 'pcm24') };
    case 'wavf32':
      return { extension: 'wav', bytes: encodeWav(clip.channels, clip.sampleRate, 'float32') };
    case 'wav16':
      return { extension: 'wav', bytes: encodeWav(clip.channels, clip.sampleRate, 'pcm16') };
  }
}

/** Generate every shard of `task`, returned as file name -> tar bytes. */
export async function generateDemoShards(task: TaskDefinition): Promise<Map<string, Buffer>> {
  if (task.source.kind !== 'generated') {
    throw new Error(`${task.id} is not a generated task`);
  }
  const makeGenerator = DEMO_GENERATORS[task.source.generator];
  if (!makeGenerator) {
    throw new Error(`${task.id}: no demo generator named "${task.source.generator}"`);
  }
  const generator = makeGenerator(
    (label) => new SeededRandom(DEMO_DATA_SEED, `${task.id}/${label}`),
  );
  const shards = new Map<string, Buffer>();
  const written = new Set<string>();
  for (const [group, shardNames] of splitShards(task)) {
    // Validation may reuse the test shards; write each list once.
    const listKey = shardNames.join('\n');
    if (written.has(listKey)) {
      continue;
    }
    written.add(listKey);
    const count = generator.clips[group];
    if (count === undefined) {
      throw new Error(`${task.id}: generator has no clip count for "${group}"`);
    }
    const entries: ShardEntry[][] = shardNames.map(() => []);
    for (let i = 0; i < count; i++) {
      const { audio, label } = generator.sample(
        new SeededRandom(DEMO_DATA_SEED, `${task.id}/${group}/${i}`),
        i,
        group,
      );
      const key = `${task.id}_${group}_${i.toString().padStart(6, '0')}`;
      const target = entries[Math.floor((i * shardNames.length) / count)] as ShardEntry[];
      const { extension, bytes } = await encodeClip(audio);
      target.push({ name: `${key}.${extension}`, bytes });
      target.push({ name: `${key}.json`, bytes: new TextEncoder().encode(JSON.stringify(label)) });
    }
    for (const [index, name] of shardNames.entries()) {
      shards.set(name, await packTar(entries[index] as ShardEntry[]));
    }
  }
  return shards;
}

/** The demo suite's generator, for preparing its tasks' data (data/prepare.ts). */
export const demoShardGenerator: ShardGenerator = {
  seed: DEMO_DATA_SEED,
  generate: generateDemoShards,
};
