/**
 * The reading side of the encoder stage: labelled audio -> mono at the encoder's rate -> crops
 * -> the batches one encoder call takes. It runs in the reader threads (crop-reader-worker.ts),
 * apart from the onnxruntime session (embed.ts), so decoding overlaps encoding.
 *
 * Only crops of identical length share a batch unless the protocol asks for X-ARES's padded
 * batches, so by default no padding reaches the encoder and an embedding does not depend on its
 * batch.
 */
import { cropOrPad, cropSamplesAt, toMonoAtRate } from '../audio/crop.ts';
import type { LabelledAudio } from '../data/samples.ts';
import { EncoderError } from '../errors.ts';
import type { CachedItem } from './cache.ts';

/** "pooled": one mean embedding per crop; "frames": every frame of every clip. */
export type EmbeddingMode = 'pooled' | 'frames';

/**
 * Crops packed back to back, [count, width], as one encoder call takes them, with the item each
 * crop becomes. It travels between threads as one transferable buffer.
 */
export interface CropBatch {
  readonly input: Float32Array;
  readonly count: number;
  readonly width: number;
  readonly items: readonly Omit<CachedItem, 'frames'>[];
  /** "shard: key" of each crop, for error messages. */
  readonly wheres: readonly string[];
  /** The job's index of the shard each crop comes from. */
  readonly shards: readonly number[];
}

/** One crop on its way into a batch. */
interface PendingCrop {
  readonly samples: Float32Array;
  readonly item: Omit<CachedItem, 'frames'>;
  readonly where: string;
  readonly shard: number;
}

/**
 * Pack crops into one batch of the longest crop's width. Crops of another length are zero-padded
 * at the end; only the padded batching of the X-ARES protocol asks for that.
 */
export function packCrops(crops: readonly PendingCrop[], padding: 'none' | 'zeros'): CropBatch {
  const width = Math.max(0, ...crops.map((crop) => crop.samples.length));
  const input = new Float32Array(crops.length * width);
  for (const [i, crop] of crops.entries()) {
    if (crop.samples.length !== width && padding === 'none') {
      throw new RangeError(`packCrops: crop ${i} has ${crop.samples.length} samples, not ${width}`);
    }
    input.set(crop.samples, i * width);
  }
  return {
    input,
    count: crops.length,
    width,
    items: crops.map((crop) => crop.item),
    wheres: crops.map((crop) => crop.where),
    shards: crops.map((crop) => crop.shard),
  };
}

/**
 * How crops are grouped into encoder calls (schemas/protocols.ts):
 * - "equal-length": at most `batchSize` consecutive crops of one shard with identical length, so
 *   nothing is padded and no embedding depends on its batch;
 * - "padded": X-ARES as shipped: `batchSize` consecutive crops of the whole stream (a split's
 *   shards in order, batches crossing shard boundaries), zero-padded to the longest.
 */
export type Batching = 'equal-length' | 'padded';

export interface CropOptions {
  readonly mode: EmbeddingMode;
  readonly cropSeconds: number | undefined;
  /** Crops per encoder call (at most). */
  readonly batchSize: number;
  readonly batching: Batching;
}

/** A shard of a stream: the job's index for it, and its labelled audio in tar order. */
export interface ShardSource {
  readonly id: number;
  readonly samples: AsyncIterable<LabelledAudio>;
}

/** What the reader produces for a stream of shards, in order. */
export type CropEvent =
  | { readonly type: 'batch'; readonly batch: CropBatch }
  | {
      /** Every crop of this shard is in a batch already produced. */
      readonly type: 'shard-end';
      readonly shard: number;
      /** Seconds of audio read from the shard (before cropping and padding). */
      readonly audioSeconds: number;
      /** Samples the encoder is given for the shard's crops (after cropping and padding). */
      readonly encodedSamples: number;
    };

/**
 * Decode, resample and crop every sample of a stream of shards, and group the crops into the
 * batches the encoder sees. The reader threads (`crop-reader-worker.ts`) and the benchmark of bare
 * onnxruntime use these same events.
 */
export async function* cropEvents(
  contract: { readonly sampleRate: number },
  shards: readonly ShardSource[],
  options: CropOptions,
): AsyncGenerator<CropEvent> {
  const cropSamples =
    options.mode === 'pooled' ? cropSamplesAt(options.cropSeconds, contract.sampleRate) : undefined;
  const audioSeconds = new Map(shards.map((shard) => [shard.id, 0]));
  const encodedSamples = new Map(shards.map((shard) => [shard.id, 0]));
  /** Shards read to the end whose last crops wait in `pending`. */
  let finished: number[] = [];
  let pending: PendingCrop[] = [];
  const padding = options.batching === 'padded' ? 'zeros' : 'none';
  function* flush(): Generator<CropEvent> {
    if (pending.length > 0) {
      const batch = packCrops(pending, padding);
      for (const shard of batch.shards) {
        encodedSamples.set(shard, (encodedSamples.get(shard) ?? 0) + batch.width);
      }
      pending = [];
      yield { type: 'batch', batch };
    }
    for (const shard of finished) {
      yield {
        type: 'shard-end',
        shard,
        audioSeconds: audioSeconds.get(shard) ?? 0,
        encodedSamples: encodedSamples.get(shard) ?? 0,
      };
    }
    finished = [];
  }
  for (const { id: shard, samples } of shards) {
    for await (const sample of samples) {
      const where = `${sample.shard}: ${sample.key}`;
      const length = sample.channels[0]?.length ?? 0;
      if (length === 0) {
        throw new EncoderError(`${where}: the audio has no samples`);
      }
      audioSeconds.set(shard, (audioSeconds.get(shard) ?? 0) + length / sample.sampleRate);
      const mono = toMonoAtRate(sample.channels, sample.sampleRate, contract.sampleRate);
      for (const [crop, samples] of cropOrPad(mono, cropSamples).entries()) {
        const full = pending.length >= options.batchSize;
        const otherLength =
          options.batching === 'equal-length' && pending[0]?.samples.length !== samples.length;
        if (pending.length > 0 && (full || otherLength)) {
          yield* flush();
        }
        pending.push({
          samples,
          item: { key: sample.key, crop, target: sample.target },
          where,
          shard,
        });
      }
    }
    finished.push(shard);
    // Equal-length batches never cross a shard; padded ones run on into the next shard.
    if (options.batching === 'equal-length' || pending.length === 0) {
      yield* flush();
    }
  }
  yield* flush();
}
