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

export interface EncodeOptions {
  readonly mode: EmbeddingMode;
  readonly cropSeconds: number | undefined;
  /** Crops per encoder call (at most). */
  readonly batchSize: number;
  /** Called once per input clip. */
  readonly onClip?: () => void;
}

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

  /** Run one batch of equal-length waveforms; returns frames `[B, T, D]` flattened and T. */
  async frames(
    batch: readonly Float32Array[],
    where: string,
  ): Promise<{ data: Float32Array; frames: number }> {
    const width = batch[0]?.length ?? 0;
    const input = new Float32Array(batch.length * width);
    for (const [i, samples] of batch.entries()) {
      input.set(samples, i * width);
    }
    const started = performance.now();
    const outputs = await this.#session.run({
      [this.#inputName]: { data: input, dims: [batch.length, width] },
    });
    this.encodeSeconds += (performance.now() - started) / 1000;
    const output = outputs[this.#outputName];
    if (!output) {
      throw new EncoderError(`${this.label}: no output`);
    }
    const dims = output.dims;
    const dim = this.#contract.embeddingDim;
    if (dims.length !== 3 || dims[0] !== batch.length || dims[2] !== dim) {
      throw new EncoderError(
        `${this.label}: output shape [${dims.join(', ')}] for input [${batch.length}, ${width}] at ${where}; expected [${batch.length}, T, ${dim}]`,
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
   * The frame sequence [T_i, D] of each equal-length waveform. Waveforms longer than the
   * encoder's maximum input are encoded chunk by chunk and the chunks' frames concatenated.
   */
  async sequences(batch: readonly Float32Array[], where: string): Promise<Float32Array[]> {
    const dim = this.#contract.embeddingDim;
    const maxSamples = maxInputSamples(this.#contract);
    const width = batch[0]?.length ?? 0;
    if (width <= maxSamples) {
      const { data, frames } = await this.frames(batch, where);
      return batch.map((_, b) => data.slice(b * frames * dim, (b + 1) * frames * dim));
    }
    const out: Float32Array[] = [];
    for (const samples of batch) {
      const parts: Float32Array[] = [];
      for (const [start, end] of chunkRanges(samples.length, maxSamples)) {
        const { data } = await this.frames([samples.subarray(start, end)], where);
        parts.push(data);
      }
      out.push(concatenateFloat32(parts));
    }
    return out;
  }

  /** The mean over time of each waveform's frames (chunks included). */
  async pooled(batch: readonly Float32Array[], where: string): Promise<Float32Array> {
    const dim = this.#contract.embeddingDim;
    const out = new Float32Array(batch.length * dim);
    for (const [b, sequence] of (await this.sequences(batch, where)).entries()) {
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

/** A crop waiting for its batch, with the item it becomes. */
export interface PendingCrop {
  readonly samples: Float32Array;
  readonly item: Omit<CachedItem, 'frames'>;
  readonly where: string;
}

/** What the encoder stage reads before any encoder call: audio seconds and crop batches. */
export interface CropBatches {
  /** Batches of at most `batchSize` consecutive crops of identical length, in shard order. */
  readonly batches: AsyncGenerator<PendingCrop[]>;
  /** Seconds of audio read so far (before cropping and padding). */
  audioSeconds(): number;
  /** Samples in the crops yielded so far. */
  cropSamples(): number;
}

/**
 * Decode, resample and crop every sample, and group the crops into the batches the encoder
 * sees. The encoder stage and the benchmark of bare onnxruntime use the same batches.
 */
export function cropBatches(
  contract: EncoderContract,
  samples: AsyncIterable<LabelledAudio>,
  options: EncodeOptions,
): CropBatches {
  const cropSamples =
    options.mode === 'pooled' ? cropSamplesAt(options.cropSeconds, contract.sampleRate) : undefined;
  let audioSeconds = 0;
  let encodedSamples = 0;
  async function* batches(): AsyncGenerator<PendingCrop[]> {
    let pending: PendingCrop[] = [];
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
          pending.length > 0 &&
          (pending.length >= options.batchSize || pending[0]?.samples.length !== samples.length)
        ) {
          yield pending;
          pending = [];
        }
        pending.push({ samples, item: { key: sample.key, crop, target: sample.target }, where });
        encodedSamples += samples.length;
      }
      options.onClip?.();
    }
    if (pending.length > 0) {
      yield pending;
    }
  }
  return {
    batches: batches(),
    audioSeconds: () => audioSeconds,
    cropSamples: () => encodedSamples,
  };
}

/** Encode every sample of a shard: one item per crop (pooled) or per clip (frames). */
export async function encodeSamples(
  encoder: ClipEncoder,
  contract: EncoderContract,
  samples: AsyncIterable<LabelledAudio>,
  options: EncodeOptions,
): Promise<EncodedShard> {
  const dim = contract.embeddingDim;
  const items: CachedItem[] = [];
  const rows: Float32Array[] = [];
  const encodeBefore = encoder.encodeSeconds;
  const reader = cropBatches(contract, samples, options);
  for await (const batch of reader.batches) {
    const sequences = await encoder.sequences(
      batch.map((crop) => crop.samples),
      batch[0]?.where ?? '',
    );
    for (const [i, crop] of batch.entries()) {
      const sequence = sequences[i] as Float32Array;
      const embedding = options.mode === 'pooled' ? meanOverFrames(sequence, dim) : sequence;
      checkFinite(embedding, crop.where, encoder.label);
      items.push({ ...crop.item, frames: embedding.length / dim });
      rows.push(embedding);
    }
  }
  return {
    items,
    data: concatenateFloat32(rows),
    audioSeconds: reader.audioSeconds(),
    encodedSeconds: reader.cropSamples() / contract.sampleRate,
    encodeSeconds: encoder.encodeSeconds - encodeBefore,
  };
}
