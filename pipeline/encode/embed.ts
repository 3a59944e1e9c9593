/**
 * The encoder stage: labelled audio -> mono at the encoder's rate -> crops -> batches of
 * identical-length crops -> encoder -> frames, kept whole (frame-level and speech tasks) or
 * averaged over time (clip and retrieval tasks).
 *
 * Only crops of identical length share a batch, so no padding ever reaches the encoder and an
 * embedding does not depend on the batch size or on its neighbours. (X-ARES pads each batch to
 * its longest crop and averages the padding frames in; see the methodology page.) Audio longer
 * than the encoder's maximum input is cut into chunks encoded one by one, whose frames are
 * concatenated along time, as the X-ARES example encoders do inside their forward pass.
 */
import { cropOrPad, cropSamplesAt, toMonoAtRate } from '../audio/crop.ts';
import type { LabelledAudio } from '../data/samples.ts';
import { EncoderError } from '../errors.ts';
import type { OrtSession } from '../runtime/ort.ts';
import type { CachedItem } from './cache.ts';
import { concatenateFloat32 } from '../util/arrays.ts';
import { chunkRanges, maxInputSamples } from './chunks.ts';

export interface EncoderContract {
  readonly sampleRate: number;
  readonly embeddingDim: number;
  /** Longest input of one encoder call; longer crops are chunked. */
  readonly maxInputSeconds: number;
}

/** "pooled": one mean embedding per crop; "frames": every frame of every clip. */
export type EmbeddingMode = 'pooled' | 'frames';

/** The embeddings of one shard, ready for the cache. */
export interface EncodedShard {
  readonly items: CachedItem[];
  /** Every item's rows back to back, [rows, dim]. */
  readonly data: Float32Array;
  /** Seconds of audio read (before cropping and padding). */
  readonly audioSeconds: number;
  /** Seconds of audio the encoder processed (after cropping and padding). */
  readonly encodedSeconds: number;
  /** Wall-clock seconds spent inside the encoder. */
  readonly encodeSeconds: number;
}

export class ClipEncoder {
  readonly #session: OrtSession;
  readonly #contract: EncoderContract;
  readonly #inputName: string;
  readonly #outputName: string;
  encodeSeconds = 0;

  constructor(session: OrtSession, contract: EncoderContract) {
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      throw new EncoderError(
        `${session.label}: the encoder must have exactly one input (got ${session.inputNames.length}) and one output (got ${session.outputNames.length})`,
      );
    }
    this.#session = session;
    this.#contract = contract;
    this.#inputName = session.inputNames[0] as string;
    this.#outputName = session.outputNames[0] as string;
  }

  get label(): string {
    return this.#session.label;
  }

  get executionProvider(): string {
    return this.#session.executionProvider;
  }

  release(): Promise<void> {
    return this.#session.release();
  }

  /**
   * Run one encoder call on `count` equal-length waveforms packed back to back in `input`
   * ([count, width]); returns the frames `[count, T, D]` flattened and T.
   */
  async frames(
    input: Float32Array,
    count: number,
    where: string,
  ): Promise<{ data: Float32Array; frames: number }> {
    const width = count === 0 ? 0 : input.length / count;
    const started = performance.now();
    const outputs = await this.#session.run({
      [this.#inputName]: { data: input, dims: [count, width] },
    });
    this.encodeSeconds += (performance.now() - started) / 1000;
    const output = outputs[this.#outputName];
    if (!output) {
      throw new EncoderError(`${this.label}: no output`);
    }
    const dims = output.dims;
    const dim = this.#contract.embeddingDim;
    if (dims.length !== 3 || dims[0] !== count || dims[2] !== dim) {
      throw new EncoderError(
        `${this.label}: output shape [${dims.join(', ')}] for input [${count}, ${width}] at ${where}; expected [${count}, T, ${dim}]`,
        {
          hint: 'the encoder must return float32 [batch, frames, embeddingDim] with embeddingDim as declared in the manifest',
        },
      );
    }
    const frames = dims[1] as number;
    if (frames < 1) {
      throw new EncoderError(
        `${this.label}: zero output frames for ${width} input samples at ${where}`,
      );
    }
    return { data: output.data, frames };
  }

  /**
   * The frame sequence [T_i, D] of each crop of the batch. Crops longer than the encoder's
   * maximum input are encoded chunk by chunk and the chunks' frames concatenated.
   */
  async sequences(batch: CropBatch): Promise<Float32Array[]> {
    const dim = this.#contract.embeddingDim;
    const maxSamples = maxInputSamples(this.#contract);
    const { input, count, width } = batch;
    const where = batch.wheres[0] ?? '';
    if (width <= maxSamples) {
      const { data, frames } = await this.frames(input, count, where);
      // Views, not copies: onnxruntime hands out a fresh buffer for every call.
      return Array.from({ length: count }, (_, b) =>
        data.subarray(b * frames * dim, (b + 1) * frames * dim),
      );
    }
    const out: Float32Array[] = [];
    for (let b = 0; b < count; b++) {
      const parts: Float32Array[] = [];
      for (const [start, end] of chunkRanges(width, maxSamples)) {
        const chunk = input.slice(b * width + start, b * width + end);
        parts.push((await this.frames(chunk, 1, batch.wheres[b] ?? where)).data);
      }
      out.push(concatenateFloat32(parts));
    }
    return out;
  }

  /** The mean over time of each crop's frames (chunks included), [count, D]. */
  async pooled(batch: CropBatch): Promise<Float32Array> {
    const dim = this.#contract.embeddingDim;
    const out = new Float32Array(batch.count * dim);
    for (const [b, sequence] of (await this.sequences(batch)).entries()) {
      out.set(meanOverFrames(sequence, dim), b * dim);
    }
    return out;
  }
}

/** Mean of the rows of `sequence` [T, dim], accumulated in float64. */
export function meanOverFrames(sequence: Float32Array, dim: number): Float32Array {
  const frames = sequence.length / dim;
  const sums = new Float64Array(dim);
  for (let t = 0; t < frames; t++) {
    const row = t * dim;
    for (let d = 0; d < dim; d++) {
      sums[d] = (sums[d] as number) + (sequence[row + d] as number);
    }
  }
  return Float32Array.from(sums, (sum) => sum / frames);
}

function checkFinite(values: Float32Array, where: string, label: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) {
      throw new EncoderError(`${label}: embedding of ${where} contains ${value}`, {
        hint: 'the encoder produced NaN or infinite values; check it on silent and very short inputs',
      });
    }
  }
}

/**
 * Crops of identical length packed back to back, [count, width], as one encoder call takes
 * them, with the item each crop becomes. It travels between threads as one transferable buffer.
 */
export interface CropBatch {
  readonly input: Float32Array;
  readonly count: number;
  readonly width: number;
  readonly items: readonly Omit<CachedItem, 'frames'>[];
  /** "shard: key" of each crop, for error messages. */
  readonly wheres: readonly string[];
}

/** Pack equal-length crops into one batch. */
export function packCrops(
  crops: readonly Float32Array[],
  items: readonly Omit<CachedItem, 'frames'>[],
  wheres: readonly string[],
): CropBatch {
  const width = crops[0]?.length ?? 0;
  const input = new Float32Array(crops.length * width);
  for (const [i, crop] of crops.entries()) {
    if (crop.length !== width) {
      throw new RangeError(`packCrops: crop ${i} has ${crop.length} samples, not ${width}`);
    }
    input.set(crop, i * width);
  }
  return { input, count: crops.length, width, items, wheres };
}

/** What the encoder stage reads before any encoder call: audio seconds and crop batches. */
export interface CropBatches {
  /** Batches of at most `batchSize` consecutive crops of identical length, in shard order. */
  readonly batches: AsyncIterable<CropBatch>;
  /** Seconds of audio read so far (before cropping and padding). */
  audioSeconds(): number;
  /** Samples in the crops yielded so far. */
  cropSamples(): number;
}

export interface CropOptions {
  readonly mode: EmbeddingMode;
  readonly cropSeconds: number | undefined;
  /** Crops per encoder call (at most). */
  readonly batchSize: number;
}

/**
 * Decode, resample and crop every sample, and group the crops into the batches the encoder
 * sees. The encoder stage (through `crop-thread.ts`) and the benchmark of bare onnxruntime use
 * the same batches.
 */
export function cropBatches(
  contract: EncoderContract,
  samples: AsyncIterable<LabelledAudio>,
  options: CropOptions,
): CropBatches {
  const cropSamples =
    options.mode === 'pooled' ? cropSamplesAt(options.cropSeconds, contract.sampleRate) : undefined;
  let audioSeconds = 0;
  let encodedSamples = 0;
  async function* batches(): AsyncGenerator<CropBatch> {
    let crops: Float32Array[] = [];
    let items: Omit<CachedItem, 'frames'>[] = [];
    let wheres: string[] = [];
    const flush = (): CropBatch => {
      const batch = packCrops(crops, items, wheres);
      crops = [];
      items = [];
      wheres = [];
      return batch;
    };
    for await (const sample of samples) {
      const where = `${sample.shard}: ${sample.key}`;
      const length = sample.channels[0]?.length ?? 0;
      if (length === 0) {
        throw new EncoderError(`${where}: the audio has no samples`);
      }
      audioSeconds += length / sample.sampleRate;
      const mono = toMonoAtRate(sample.channels, sample.sampleRate, contract.sampleRate);
      for (const [crop, samples] of cropOrPad(mono, cropSamples).entries()) {
        if (
          crops.length > 0 &&
          (crops.length >= options.batchSize || crops[0]?.length !== samples.length)
        ) {
          yield flush();
        }
        crops.push(samples);
        items.push({ key: sample.key, crop, target: sample.target });
        wheres.push(where);
        encodedSamples += samples.length;
      }
    }
    if (crops.length > 0) {
      yield flush();
    }
  }
  return {
    batches: batches(),
    audioSeconds: () => audioSeconds,
    cropSamples: () => encodedSamples,
  };
}

/**
 * Encode every batch of a shard: one item per crop (pooled) or per clip (frames).
 * `onProgress` is called after each batch is encoded.
 */
export async function encodeBatches(
  encoder: ClipEncoder,
  contract: EncoderContract,
  reader: CropBatches,
  options: { readonly mode: EmbeddingMode; readonly onProgress?: () => void },
): Promise<EncodedShard> {
  const dim = contract.embeddingDim;
  const items: CachedItem[] = [];
  const rows: Float32Array[] = [];
  const encodeBefore = encoder.encodeSeconds;
  for await (const batch of reader.batches) {
    const sequences = await encoder.sequences(batch);
    for (const [i, item] of batch.items.entries()) {
      const sequence = sequences[i] as Float32Array;
      const embedding = options.mode === 'pooled' ? meanOverFrames(sequence, dim) : sequence;
      checkFinite(embedding, batch.wheres[i] ?? '', encoder.label);
      items.push({ ...item, frames: embedding.length / dim });
      rows.push(embedding);
    }
    options.onProgress?.();
  }
  return {
    items,
    data: concatenateFloat32(rows),
    audioSeconds: reader.audioSeconds(),
    encodedSeconds: reader.cropSamples() / contract.sampleRate,
    encodeSeconds: encoder.encodeSeconds - encodeBefore,
  };
}
