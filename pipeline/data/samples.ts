/**
 * From shards to labelled audio: read the WebDataset samples of a split, take the audio entry
 * and the JSON label, decode, and map the label to a class index as the task declares.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { TaskLabels } from '../../schemas/task.ts';
import { AUDIO_EXTENSIONS, decodeAudio } from '../audio/decode.ts';
import { DataError } from '../errors.ts';
import { readWebDataset, type WebDatasetSample } from './webdataset.ts';

export interface LabelledAudio {
  readonly shard: string;
  readonly key: string;
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
  /** Class index. */
  readonly label: number;
}

function audioEntry(sample: WebDatasetSample): Buffer {
  for (const extension of AUDIO_EXTENSIONS) {
    const bytes = sample.files.get(extension);
    if (bytes) {
      return bytes;
    }
  }
  throw new DataError(`${sample.shard}: sample "${sample.key}" has no audio entry`, {
    hint: `expected one of ${AUDIO_EXTENSIONS.map((ext) => `${sample.key}.${ext}`).join(', ')}`,
  });
}

function jsonEntry(sample: WebDatasetSample): Record<string, unknown> {
  const bytes = sample.files.get('json');
  if (!bytes) {
    throw new DataError(
      `${sample.shard}: sample "${sample.key}" has no ${sample.key}.json label entry`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new DataError(`${sample.shard}: ${sample.key}.json is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataError(`${sample.shard}: ${sample.key}.json must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Map a sample's JSON to a class index, or throw a DataError naming the sample and the value. */
export function classIndexOf(
  labels: TaskLabels,
  json: Record<string, unknown>,
  where: string,
): number {
  const value = json[labels.key];
  const raw: readonly (string | number)[] = labels.values ?? labels.classes;
  const index = typeof value === 'string' || typeof value === 'number' ? raw.indexOf(value) : -1;
  if (index >= 0) {
    return index;
  }
  if (labels.otherwise !== undefined && value !== undefined) {
    return labels.otherwise;
  }
  throw new DataError(
    `${where}: label field "${labels.key}" is ${JSON.stringify(value)}, which is not a class of this task`,
    {
      hint: `expected one of ${raw
        .slice(0, 12)
        .map((v) => JSON.stringify(v))
        .join(', ')}${raw.length > 12 ? ', ...' : ''}`,
    },
  );
}

/** Labelled, decoded samples of the given shards, in shard order then tar order. */
export async function* readLabelledAudio(
  dir: string,
  shards: readonly string[],
  labels: TaskLabels,
): AsyncGenerator<LabelledAudio> {
  for (const shard of shards) {
    for await (const sample of readWebDataset(createReadStream(join(dir, shard)), shard)) {
      const where = `${shard}: ${sample.key}`;
      const label = classIndexOf(labels, jsonEntry(sample), where);
      const { channels, sampleRate } = await decodeAudio(audioEntry(sample), where);
      yield { shard, key: sample.key, channels, sampleRate, label };
    }
  }
}
