/**
 * The encoder stage: labelled audio -> mono at the encoder's rate -> crops -> batches of
 * identical-length crops (crop-batches.ts, which the reader threads run) -> encoder -> frames,
 * kept whole (frame-level and speech tasks) or averaged over time (clip and retrieval tasks):
 * this file is the encoder's side, which owns the onnxruntime session.
 *
 * Only crops of identical length share a batch, so no padding ever reaches the encoder and an
 * embedding does not depend on the batch size or on its neighbours. (X-ARES pads each batch to
 * its longest crop and averages the padding frames in; see the methodology page.) Audio longer
 * than the encoder's maximum input is cut into chunks encoded one by one, whose frames are
 * concatenated along time, as the X-ARES example encoders do inside their forward pass.
 */
import { EncoderError } from '../errors.ts';
import type { OrtSession } from '../runtime/ort.ts';
import type { CachedItem } from './cache.ts';
import { concatenateFloat32 } from '../util/arrays.ts';
import { chunkRanges, fixedChunkRanges, maxInputSamples } from './chunks.ts';
import type { CropBatch, CropEvent, EmbeddingMode } from './crop-batches.ts';

export interface EncoderContract {
  readonly sampleRate: number;
  readonly embeddingDim: number;
  /** Longest input of one encoder call; longer crops are chunked. */
  readonly maxInputSeconds: number;
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

/**
 * How input longer than the encoder's maximum is cut:
 * - "per-crop": each crop alone, in equal-length chunks of at most `maxInputSeconds` (chunks.ts),
 *   the frames of the chunks concatenated;
 * - "x-ares-examples": the whole batch at once, as the X-ARES example encoders do inside their
 *   forward pass: chunks of `maxInputSeconds` along time, a last chunk shorter than 1 s
 *   zero-padded to 1 s, every chunk's frames kept and concatenated.
 */
export type Chunking = 'per-crop' | 'x-ares-examples';

export class ClipEncoder {
  readonly #session: OrtSession;
  readonly #contract: EncoderContract;
  readonly #chunking: Chunking;
  readonly #inputName: string;
  readonly #outputName: string;
  encodeSeconds = 0;

  constructor(session: OrtSession, contract: EncoderContract, chunking: Chunking = 'per-crop') {
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      throw new EncoderError(
        `${session.label}: the encoder must have exactly one input (got ${session.inputNames.length}) and one output (got ${session.outputNames.length})`,
      );
    }
    this.#session = session;
    this.#contract = contract;
    this.#chunking = chunking;
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
    if (this.#chunking === 'x-ares-examples') {
      return this.#batchChunks(batch, maxSamples);
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

  /** X-ARES example encoders: the batch cut along time, a last chunk under 1 s padded to 1 s. */
  async #batchChunks(batch: CropBatch, maxSamples: number): Promise<Float32Array[]> {
    const dim = this.#contract.embeddingDim;
    const { input, count, width } = batch;
    const parts: Float32Array[][] = Array.from({ length: count }, () => []);
    for (const [start, end] of fixedChunkRanges(width, maxSamples)) {
      const chunkWidth = Math.max(end - start, this.#contract.sampleRate);
      const chunk = new Float32Array(count * chunkWidth);
      for (let b = 0; b < count; b++) {
        chunk.set(input.subarray(b * width + start, b * width + end), b * chunkWidth);
      }
      const { data, frames } = await this.frames(chunk, count, batch.wheres[0] ?? '');
      for (let b = 0; b < count; b++) {
        parts[b]?.push(data.subarray(b * frames * dim, (b + 1) * frames * dim));
      }
    }
    return parts.map((chunks) => concatenateFloat32(chunks));
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
 * Encode the batches of a stream and hand over each shard's embeddings as soon as its last crop
 * is encoded: one item per crop (pooled) or per clip (frames). Batches holding only crops of
 * shards that are not `wanted` (cached already) are not encoded; padded batches cross shards, so
 * a stream is read from its start even when only a later shard is missing.
 */
export async function encodeStream(
  encoder: ClipEncoder,
  contract: EncoderContract,
  events: AsyncIterable<CropEvent>,
  options: {
    readonly mode: EmbeddingMode;
    readonly wanted: (shard: number) => boolean;
    readonly onShard: (shard: number, encoded: EncodedShard) => Promise<void>;
    /** After each batch, with the shard of its first crop. */
    readonly onProgress?: (shard: number) => void;
  },
): Promise<void> {
  const dim = contract.embeddingDim;
  const states = new Map<
    number,
    { items: CachedItem[]; rows: Float32Array[]; encodeSeconds: number }
  >();
  const stateOf = (shard: number) => {
    let state = states.get(shard);
    if (!state) {
      state = { items: [], rows: [], encodeSeconds: 0 };
      states.set(shard, state);
    }
    return state;
  };
  for await (const event of events) {
    if (event.type === 'shard-end') {
      if (options.wanted(event.shard)) {
        const state = stateOf(event.shard);
        states.delete(event.shard);
        await options.onShard(event.shard, {
          items: state.items,
          data: concatenateFloat32(state.rows),
          audioSeconds: event.audioSeconds,
          encodedSeconds: event.encodedSamples / contract.sampleRate,
          encodeSeconds: state.encodeSeconds,
        });
      }
      continue;
    }
    const { batch } = event;
    if (batch.shards.some(options.wanted)) {
      const before = encoder.encodeSeconds;
      const sequences = await encoder.sequences(batch);
      // A batch that crosses shards charges each shard its share of the call.
      const share = (encoder.encodeSeconds - before) / batch.count;
      for (const [i, item] of batch.items.entries()) {
        const state = stateOf(batch.shards[i] as number);
        const sequence = sequences[i] as Float32Array;
        const embedding = options.mode === 'pooled' ? meanOverFrames(sequence, dim) : sequence;
        checkFinite(embedding, batch.wheres[i] ?? '', encoder.label);
        state.items.push({ ...item, frames: embedding.length / dim });
        state.rows.push(embedding);
        state.encodeSeconds += share;
      }
    }
    options.onProgress?.(batch.shards[0] ?? 0);
  }
}
