/**
 * The encoder stage: labelled audio -> mono at the encoder's rate -> crops -> batches of
 * identical-length crops -> encoder -> mean over frames.
 *
 * Only crops of identical length share a batch, so no padding ever reaches the encoder and an
 * embedding does not depend on the batch size or on its neighbours. (X-ARES pads each batch to
 * its longest crop and averages the padding frames in; see the methodology page.)
 */
import { cropOrPad, cropSamplesAt, toMonoAtRate } from '../audio/crop.ts';
import { classIndex } from '../data/labels.ts';
import type { LabelledAudio } from '../data/samples.ts';
import { EncoderError } from '../errors.ts';
import type { OrtSession } from '../runtime/ort.ts';
import { chunkRanges, maxInputSamples } from './chunks.ts';

export interface EncoderContract {
  readonly sampleRate: number;
  readonly embeddingDim: number;
  /** Longest input of one encoder call; longer crops are chunked. */
  readonly maxInputSeconds: number;
}

/** Clip-level embeddings of one split, row-major `[count, dim]`. */
export interface EmbeddedSplit {
  readonly count: number;
  readonly dim: number;
  readonly embeddings: Float32Array;
  readonly labels: Int32Array;
  /** Seconds of audio read (before cropping and padding). */
  readonly audioSeconds: number;
  /** Wall-clock seconds spent inside the encoder. */
  readonly encodeSeconds: number;
  /** Seconds of audio the encoder processed (after cropping and padding). */
  readonly encodedSeconds: number;
}

export interface EmbedOptions {
  readonly cropSeconds: number | undefined;
  /** Crops per encoder call (at most). */
  readonly batchSize: number;
  /** Called once per input clip. */
  readonly onClip?: () => void;
}

interface PendingCrop {
  readonly samples: Float32Array;
  readonly label: number;
  readonly where: string;
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
   * Mean-pooled embeddings of equal-length crops. Crops longer than the encoder's maximum input
   * are cut into chunks of that length (the last one shorter), each encoded alone, and their
   * frames averaged together.
   */
  async pooled(batch: readonly Float32Array[], where: string): Promise<Float32Array> {
    const dim = this.#contract.embeddingDim;
    const out = new Float32Array(batch.length * dim);
    const maxSamples = maxInputSamples(this.#contract);
    const width = batch[0]?.length ?? 0;
    if (width <= maxSamples) {
      const { data, frames } = await this.frames(batch, where);
      batch.forEach((_, b) => {
        const sums = new Float64Array(dim);
        sumFrames(data, b * frames * dim, frames, sums);
        writeMean(sums, frames, out, b * dim);
      });
      return out;
    }
    for (const [b, samples] of batch.entries()) {
      const sums = new Float64Array(dim);
      let totalFrames = 0;
      for (const [start, end] of chunkRanges(samples.length, maxSamples)) {
        const { data, frames } = await this.frames([samples.subarray(start, end)], where);
        sumFrames(data, 0, frames, sums);
        totalFrames += frames;
      }
      writeMean(sums, totalFrames, out, b * dim);
    }
    return out;
  }
}

/** Add `frames` rows of `data` (starting at `offset`, `sums.length` wide) into `sums`, in float64. */
function sumFrames(data: Float32Array, offset: number, frames: number, sums: Float64Array): void {
  const dim = sums.length;
  for (let t = 0; t < frames; t++) {
    const row = offset + t * dim;
    for (let d = 0; d < dim; d++) {
      sums[d] = (sums[d] as number) + (data[row + d] as number);
    }
  }
}

function writeMean(sums: Float64Array, frames: number, out: Float32Array, offset: number): void {
  for (let d = 0; d < sums.length; d++) {
    out[offset + d] = (sums[d] as number) / frames;
  }
}

function checkFinite(embedding: Float32Array, where: string, label: string): void {
  for (const value of embedding) {
    if (!Number.isFinite(value)) {
      throw new EncoderError(`${label}: embedding of ${where} contains ${value}`, {
        hint: 'the encoder produced NaN or infinite values; check it on silent and very short inputs',
      });
    }
  }
}

/** Encode every sample of a split into clip-level embeddings (one per crop). */
export async function embedSamples(
  encoder: ClipEncoder,
  contract: EncoderContract,
  samples: AsyncIterable<LabelledAudio>,
  options: EmbedOptions,
): Promise<EmbeddedSplit> {
  const dim = contract.embeddingDim;
  const cropSamples = cropSamplesAt(options.cropSeconds, contract.sampleRate);
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  let audioSeconds = 0;
  let encodedSamples = 0;
  let pending: PendingCrop[] = [];
  const encodeBefore = encoder.encodeSeconds;

  const flush = async () => {
    if (pending.length === 0) {
      return;
    }
    const batch = pending;
    pending = [];
    const pooled = await encoder.pooled(
      batch.map((crop) => crop.samples),
      batch[0]?.where ?? '',
    );
    for (const [i, crop] of batch.entries()) {
      checkFinite(pooled.subarray(i * dim, (i + 1) * dim), crop.where, encoder.label);
      labels.push(crop.label);
    }
    chunks.push(pooled);
  };

  for await (const sample of samples) {
    const where = `${sample.shard}: ${sample.key}`;
    const length = sample.channels[0]?.length ?? 0;
    if (length === 0) {
      throw new EncoderError(`${where}: the audio has no samples`);
    }
    audioSeconds += length / sample.sampleRate;
    const mono = toMonoAtRate(sample.channels, sample.sampleRate, contract.sampleRate);
    const label = classIndex(sample.target);
    for (const crop of cropOrPad(mono, cropSamples)) {
      if (
        pending.length > 0 &&
        (pending.length >= options.batchSize || pending[0]?.samples.length !== crop.length)
      ) {
        await flush();
      }
      pending.push({ samples: crop, label, where });
      encodedSamples += crop.length;
    }
    options.onClip?.();
  }
  await flush();

  const embeddings = new Float32Array(labels.length * dim);
  let offset = 0;
  for (const chunk of chunks) {
    embeddings.set(chunk, offset);
    offset += chunk.length;
  }
  return {
    count: labels.length,
    dim,
    embeddings,
    labels: Int32Array.from(labels),
    audioSeconds,
    encodeSeconds: encoder.encodeSeconds - encodeBefore,
    encodedSeconds: encodedSamples / contract.sampleRate,
  };
}
