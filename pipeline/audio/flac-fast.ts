/**
 * The fast path for native FLAC: the WASM libFLAC build that audio-decode wraps
 * (@wasm-audio-decoders/flac), one instance kept across clips, fed frame by frame at the offsets
 * flac-stream.ts found, samples copied and rescaled in one pass. It returns undefined for any
 * stream or error it is not sure about, so the caller falls back to audio-decode and output and
 * errors stay unchanged.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import type { DecodedAudio } from './decoded-audio.ts';
import { flacFrames, flacStream, type FlacStream } from './flac-stream.ts';

/** The exports of the Emscripten build of libFLAC inside @wasm-audio-decoders/flac. */
interface FlacWasm {
  readonly HEAP: ArrayBuffer;
  malloc(size: number): number;
  free(pointer: number): void;
  create_decoder(...outputPointers: number[]): number;
  destroy_decoder(decoder: number): void;
  decode_frame(decoder: number, input: number, length: number): void;
}

/** One WASM instance, kept across clips; each clip gets its own libFLAC stream decoder in it. */
interface FlacInstance {
  readonly wasm: FlacWasm;
  readonly heapU8: Uint8Array;
  readonly heapU32: Uint32Array;
  readonly heapF32: Float32Array;
  /** Eight 32-bit slots the decoder writes to, in create_decoder's argument order. */
  readonly slots: number;
}

// create_decoder's outputs, as indexes into the slots.
const SLOT_CHANNELS = 0;
const SLOT_SAMPLE_RATE = 1;
const SLOT_BITS = 2;
const SLOT_SAMPLES = 3;
const SLOT_OUTPUT = 4;
const SLOT_OUTPUT_LENGTH = 5;
const SLOT_ERROR = 6;
const SLOT_STATE = 7;
const SLOT_COUNT = 8;

let flacInstance: Promise<FlacInstance | undefined> | undefined;

async function createFlacInstance(): Promise<FlacInstance | undefined> {
  try {
    const upstream = new FLACDecoder();
    await upstream.ready;
    // Not public API: the decoder's WASM exports. If a release moves them, use audio-decode.
    const wasm = (upstream as unknown as { _decoder?: { _common?: { wasm?: Partial<FlacWasm> } } })
      ._decoder?._common?.wasm;
    if (
      !(wasm?.HEAP instanceof ArrayBuffer) ||
      typeof wasm.malloc !== 'function' ||
      typeof wasm.free !== 'function' ||
      typeof wasm.create_decoder !== 'function' ||
      typeof wasm.destroy_decoder !== 'function' ||
      typeof wasm.decode_frame !== 'function'
    ) {
      return undefined;
    }
    const complete = wasm as FlacWasm;
    const slots = complete.malloc(SLOT_COUNT * 4);
    if (slots === 0) {
      return undefined;
    }
    return {
      wasm: complete,
      heapU8: new Uint8Array(complete.HEAP),
      heapU32: new Uint32Array(complete.HEAP),
      heapF32: new Float32Array(complete.HEAP),
      slots,
    };
  } catch {
    return undefined;
  }
}

/**
 * `to[at + i] = from[start + i] * scale`, the product rounded to float32 as decodeCompressed's
 * rescale does. The count is a parameter rather than read from an array in the loop: V8's mid
 * tier, which this often runs in, otherwise reloads it on every iteration, at twice the cost.
 */
function copyScaled(
  from: Float32Array,
  start: number,
  to: Float32Array,
  at: number,
  count: number,
  scale: number,
): void {
  for (let i = 0; i < count; i++) {
    to[at + i] = (from[start + i] as number) * scale;
  }
}

/**
 * Decode a plain native FLAC stream with the kept WASM decoder, or return undefined to leave
 * it to audio-decode. The samples are exactly audio-decode's, rescaled as decodeCompressed does.
 */
export async function decodeFlacFast(bytes: Uint8Array): Promise<DecodedAudio | undefined> {
  const stream = flacStream(bytes);
  if (
    !stream ||
    ![8, 16, 24, 32].includes(stream.bits) ||
    stream.totalSamples === 0 ||
    stream.totalSamples > 2 ** 31
  ) {
    return undefined;
  }
  const starts = flacFrames(bytes, stream);
  if (!starts) {
    return undefined;
  }
  flacInstance ??= createFlacInstance();
  const instance = await flacInstance;
  return instance && decodeFlacFrames(instance, bytes, stream, starts);
}

/**
 * Decode the frames at `starts` in a stream decoder of its own, one frame per decode_frame call
 * as audio-decode does. Synchronous, so overlapping calls never share a decoder.
 */
function decodeFlacFrames(
  instance: FlacInstance,
  bytes: Uint8Array,
  stream: FlacStream,
  starts: readonly number[],
): DecodedAudio | undefined {
  const { wasm, heapU8, heapU32, heapF32, slots } = instance;
  const slot = slots >> 2;
  heapU32.fill(0, slot, slot + SLOT_COUNT);
  const decoder = wasm.create_decoder(
    ...Array.from({ length: SLOT_COUNT }, (_, index) => slots + 4 * index),
  );
  const full = 2 ** (stream.bits - 1);
  const scale = (full - 1) / full;
  const channels = Array.from(
    { length: stream.channels },
    () => new Float32Array(stream.totalSamples),
  );
  let clean = false;
  try {
    if (decoder === 0) {
      return undefined;
    }
    let position = 0;
    for (let frame = 0; frame + 1 < starts.length; frame++) {
      const begin = starts[frame] as number;
      const length = (starts[frame + 1] as number) - begin;
      const input = wasm.malloc(length);
      if (input === 0) {
        return undefined;
      }
      // libFLAC frees the input once it has read it.
      heapU8.set(bytes.subarray(begin, begin + length), input);
      heapU32[slot + SLOT_SAMPLES] = 0;
      heapU32[slot + SLOT_OUTPUT] = 0;
      heapU32[slot + SLOT_OUTPUT_LENGTH] = 0;
      wasm.decode_frame(decoder, input, length);
      const output = heapU32[slot + SLOT_OUTPUT] as number;
      const count = heapU32[slot + SLOT_SAMPLES] as number;
      if (
        heapU32[slot + SLOT_ERROR] !== 0 ||
        heapU32[slot + SLOT_STATE] !== 0 ||
        output === 0 ||
        count === 0 ||
        position + count > stream.totalSamples ||
        heapU32[slot + SLOT_CHANNELS] !== stream.channels ||
        heapU32[slot + SLOT_SAMPLE_RATE] !== stream.sampleRate ||
        heapU32[slot + SLOT_BITS] !== stream.bits ||
        heapU32[slot + SLOT_OUTPUT_LENGTH] !== count * stream.channels
      ) {
        if (output !== 0) {
          wasm.free(output);
        }
        return undefined;
      }
      // Planar float output, one channel after the other.
      let from = output >> 2;
      for (const channel of channels) {
        copyScaled(heapF32, from, channel, position, count, scale);
        from += count;
      }
      wasm.free(output);
      position += count;
    }
    if (position !== stream.totalSamples) {
      return undefined;
    }
    clean = true;
    return { channels, sampleRate: stream.sampleRate };
  } catch {
    return undefined;
  } finally {
    if (decoder !== 0) {
      try {
        wasm.destroy_decoder(decoder);
      } catch {
        clean = false;
      }
    }
    if (!clean) {
      // Input the decoder did not get to read is still allocated: start the next clip afresh.
      flacInstance = undefined;
    }
  }
}
