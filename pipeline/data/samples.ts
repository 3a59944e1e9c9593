/**
 * From shards to labelled audio: read the WebDataset samples of a split, take the audio entry
 * and the JSON label, decode, and turn the label into the target the task declares.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { TaskLabels } from '../../schemas/task.ts';
import { AUDIO_EXTENSIONS, decodeAudio } from '../audio/decode.ts';
import { DataError } from '../errors.ts';
import { parseTarget, type SampleTarget } from './labels.ts';
import { readWebDataset, type WebDatasetSample } from './webdataset.ts';

export interface LabelledAudio {
  readonly shard: string;
  readonly key: string;
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
  readonly target: SampleTarget;
}

function audioEntry(sample: WebDatasetSample): Buffer | undefined {
  for (const extension of AUDIO_EXTENSIONS) {
    const bytes = sample.files.get(extension);
    if (bytes) {
      return bytes;
    }
  }
  return undefined;
}

function jsonEntry(sample: WebDatasetSample, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new DataError(`${sample.shard}: ${sample.key}.json is not valid JSON`);
  }
}

/**
 * Labelled, decoded samples of the given shards, in shard order then tar order. A sample without
 * an audio entry (one of AUDIO_EXTENSIONS) or without a JSON entry is skipped, as X-ARES's
 * webdataset pipeline skips it; an entry that is there but cannot be decoded or parsed is an
 * error (X-ARES would skip that too; corrupt data is reported here instead, see the
 * methodology page).
 */
export async function* readLabelledAudio(
  dir: string,
  shards: readonly string[],
  labels: TaskLabels,
): AsyncGenerator<LabelledAudio> {
  for (const shard of shards) {
    for await (const sample of readWebDataset(createReadStream(join(dir, shard)), shard)) {
      const audio = audioEntry(sample);
      const json = sample.files.get('json');
      if (audio === undefined || json === undefined) {
        continue;
      }
      const where = `${shard}: ${sample.key}`;
      const target = parseTarget(labels, jsonEntry(sample, json), where);
      const { channels, sampleRate } = await decodeAudio(audio, where);
      yield { shard, key: sample.key, channels, sampleRate, target };
    }
  }
}
