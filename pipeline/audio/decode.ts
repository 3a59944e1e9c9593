/**
 * Decoding of the audio entry of a WebDataset sample into float channels, scaled the way
 * torchaudio.load scales them (integer PCM divided by 2^(bits-1), so -32768 is exactly -1):
 *
 * - WAV (8/16/24/32-bit integer, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE) is parsed here: it is
 *   trivial, it is the most common format of the suite, and this is both exact and fast.
 * - FLAC, MP3 and Ogg Vorbis go through audio-decode (WASM builds of libFLAC, mpg123 and
 *   libvorbis; nothing native to download). Its FLAC decoder divides by 2^(bits-1) - 1, so FLAC
 *   output is rescaled by (2^(bits-1) - 1) / 2^(bits-1) with the bit depth read from STREAMINFO.
 * - Native FLAC normally takes a fast path to the same WASM libFLAC build that audio-decode
 *   wraps (@wasm-audio-decoders/flac): one instance kept across clips, frames found by their
 *   headers instead of a byte-by-byte CRC scan, samples copied and rescaled in one pass. Any
 *   stream it is not sure about, and any error, goes through audio-decode as before, so output
 *   and errors are unchanged.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import decode from 'audio-decode';
import { DataError, errorMessage } from '../errors.ts';

export interface DecodedAudio {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

/** Extensions accepted as the audio of a sample, in the order X-ARES looks for them. */
export const AUDIO_EXTENSIONS = ['flac', 'mp3', 'sox', 'wav', 'm4a', 'ogg', 'wma'] as const;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Parse a RIFF/WAVE file. Throws a plain Error; the caller adds the sample's name. */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format:
    | { code: number; channels: number; sampleRate: number; bits: number; blockAlign: number }
    | undefined;
  let data: { offset: number; length: number } | undefined;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) {
        throw new Error('fmt chunk is too short');
      }
      let code = view.getUint16(body, true);
      if (code === WAVE_FORMAT_EXTENSIBLE && size >= 40) {
        code = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      format = {
        code,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // Streaming writers leave 0 or 0xFFFFFFFF here; the data then runs to the end of the file.
      const available = bytes.length - body;
      data = {
        offset: body,
        length: size === 0 || size === 0xffffffff || size > available ? available : size,
      };
      break;
    }
    offset = body + size + (size % 2);
  }
  if (!format) {
    throw new Error('no fmt chunk');
  }
  if (!data) {
    throw new Error('no data chunk');
  }
  const { code, channels, sampleRate, bits, blockAlign } = format;
  const bytesPerSample = bits / 8;
  if (
    channels < 1 ||
    sampleRate < 1 ||
    !Number.isInteger(bytesPerSample) ||
    blockAlign !== channels * bytesPerSample
  ) {
    throw new Error(
      `unsupported layout (${channels} channels, ${bits} bits, block align ${blockAlign})`,
    );
  }
  const isFloat = code === WAVE_FORMAT_IEEE_FLOAT;
  if (
    !(code === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits)) &&
    !(isFloat && (bits === 32 || bits === 64))
  ) {
    throw new Error(
      `unsupported WAV encoding (format ${code}, ${bits} bits); use PCM 8/16/24/32-bit or float 32/64-bit`,
    );
  }
  const frames = Math.floor(data.length / blockAlign);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let position = data.offset;
  for (let frame = 0; frame < frames; frame++) {
    for (let c = 0; c < channels; c++) {
      let value: number;
      if (isFloat) {
        value = bits === 32 ? view.getFloat32(position, true) : view.getFloat64(position, true);
      } else if (bits === 16) {
        value = view.getInt16(position, true) / 32768;
      } else if (bits === 24) {
        const raw =
          view.getUint8(position) |
          (view.getUint8(position + 1) << 8) |
          (view.getInt8(position + 2) << 16);
        value = raw / 8388608;
      } else if (bits === 32) {
        value = view.getInt32(position, true) / 2147483648;
      } else {
        value = (view.getUint8(position) - 128) / 128;
      }
      (out[c] as Float32Array)[frame] = value;
      position += bytesPerSample;
    }
  }
  return { channels: out, sampleRate };
}

/** Bits per sample from a native FLAC stream's STREAMINFO block, or undefined. */
export function flacBitsPerSample(bytes: Uint8Array): number | undefined {
  if (bytes.length < 22 || ascii(bytes, 0, 4) !== 'fLaC' || ((bytes[4] ?? 0) & 0x7f) !== 0) {
    return undefined;
  }
  // STREAMINFO starts at byte 8; bits-per-sample minus one is the 5 bits after the 20-bit rate and 3-bit channels.
  return ((((bytes[20] ?? 0) & 0x01) << 4) | ((bytes[21] ?? 0) >> 4)) + 1;
}

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

/** STREAMINFO of a native FLAC stream and the offset of its first frame. */
interface FlacStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bits: number;
  readonly totalSamples: number;
  /** The smallest frame in bytes, or 0 when unknown. */
  readonly minFrameSize: number;
  readonly firstFrame: number;
}

function flacStream(bytes: Uint8Array): FlacStream | undefined {
  const at = (index: number): number => bytes[index] ?? 0;
  // "fLaC", then STREAMINFO (type 0, 34 bytes) as the first metadata block.
  if (
    bytes.length < 42 ||
    at(0) !== 0x66 ||
    at(1) !== 0x4c ||
    at(2) !== 0x61 ||
    at(3) !== 0x43 ||
    (at(4) & 0x7f) !== 0 ||
    ((at(5) << 16) | (at(6) << 8) | at(7)) !== 34
  ) {
    return undefined;
  }
  let offset = 4;
  for (;;) {
    if (offset + 4 > bytes.length) {
      return undefined;
    }
    const last = at(offset) & 0x80;
    offset += 4 + ((at(offset + 1) << 16) | (at(offset + 2) << 8) | at(offset + 3));
    if (last) {
      break;
    }
  }
  return {
    sampleRate: (at(18) << 12) | (at(19) << 4) | (at(20) >> 4),
    channels: ((at(20) >> 1) & 0x07) + 1,
    bits: (((at(20) & 0x01) << 4) | (at(21) >> 4)) + 1,
    totalSamples:
      (at(21) & 0x0f) * 2 ** 32 + at(22) * 2 ** 24 + ((at(23) << 16) | (at(24) << 8) | at(25)),
    minFrameSize: (at(12) << 16) | (at(13) << 8) | at(14),
    firstFrame: offset,
  };
}

const CRC8 = Uint8Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
});

const CRC16 = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

/** A parsed frame header: what must stay constant across a stream, its number and its length. */
interface FrameHeader {
  /** Blocking strategy, sample rate code, sample size code and channel count, packed. */
  readonly kind: number;
  /** Frame number (fixed block size) or number of the first sample (variable block size). */
  readonly number: number;
  readonly blockSize: number;
}

/** Parse and CRC-check the frame header at `p`, or return undefined. */
function frameHeader(bytes: Uint8Array, p: number): FrameHeader | undefined {
  if (p + 6 > bytes.length) {
    return undefined;
  }
  const b1 = bytes[p + 1] as number;
  const b2 = bytes[p + 2] as number;
  const b3 = bytes[p + 3] as number;
  const blockCode = b2 >> 4;
  const rateCode = b2 & 0x0f;
  const assignment = b3 >> 4;
  const sizeCode = (b3 >> 1) & 0x07;
  if (
    bytes[p] !== 0xff ||
    (b1 & 0xfe) !== 0xf8 ||
    blockCode === 0 ||
    rateCode === 0x0f ||
    assignment > 10 ||
    sizeCode === 3 ||
    (b3 & 0x01) !== 0
  ) {
    return undefined;
  }
  // The frame or sample number, UTF-8 style in 1 to 7 bytes.
  let q = p + 4;
  const lead = bytes[q++] as number;
  let extra: number;
  let number: number;
  if (lead < 0x80) {
    extra = 0;
    number = lead;
  } else if (lead < 0xc0) {
    return undefined;
  } else if (lead < 0xe0) {
    extra = 1;
    number = lead & 0x1f;
  } else if (lead < 0xf0) {
    extra = 2;
    number = lead & 0x0f;
  } else if (lead < 0xf8) {
    extra = 3;
    number = lead & 0x07;
  } else if (lead < 0xfc) {
    extra = 4;
    number = lead & 0x03;
  } else if (lead < 0xfe) {
    extra = 5;
    number = lead & 0x01;
  } else if (lead === 0xfe) {
    extra = 6;
    number = 0;
  } else {
    return undefined;
  }
  const end =
    q +
    extra +
    (blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0) +
    (rateCode === 12 ? 1 : rateCode >= 13 ? 2 : 0);
  if (end >= bytes.length) {
    return undefined;
  }
  for (let k = 0; k < extra; k++) {
    const byte = bytes[q++] as number;
    if ((byte & 0xc0) !== 0x80) {
      return undefined;
    }
    number = number * 64 + (byte & 0x3f);
  }
  let blockSize: number;
  if (blockCode === 1) {
    blockSize = 192;
  } else if (blockCode <= 5) {
    blockSize = 576 << (blockCode - 2);
  } else if (blockCode === 6) {
    blockSize = (bytes[q] as number) + 1;
  } else if (blockCode === 7) {
    blockSize = (((bytes[q] as number) << 8) | (bytes[q + 1] as number)) + 1;
  } else {
    blockSize = 256 << (blockCode - 8);
  }
  let crc = 0;
  for (let i = p; i < end; i++) {
    crc = CRC8[crc ^ (bytes[i] as number)] as number;
  }
  if (crc !== bytes[end]) {
    return undefined;
  }
  const channels = assignment < 8 ? assignment + 1 : 2;
  return {
    kind: ((b1 & 1) << 12) | (rateCode << 8) | (sizeCode << 4) | channels,
    number,
    blockSize,
  };
}

/**
 * Offsets of the frames of a native FLAC stream (and the end of the last), or undefined when
 * the stream is anything but plain: frames must follow each other with consecutive numbers and
 * the same rate, sample size and channel count, add up to STREAMINFO's total, and the last must
 * end the file (its CRC-16 checks out over the rest of the bytes).
 */
function flacFrames(bytes: Uint8Array, stream: FlacStream): number[] | undefined {
  const first = frameHeader(bytes, stream.firstFrame);
  if (!first || first.number !== 0) {
    return undefined;
  }
  const variable = (first.kind >> 12) & 1;
  const starts = [stream.firstFrame];
  let samples = first.blockSize;
  let frames = 1;
  let start = stream.firstFrame;
  // No frame is shorter than STREAMINFO says; were that wrong, the numbering check fails.
  const skip = Math.max(6, stream.minFrameSize);
  let search = start + skip;
  for (;;) {
    const p = bytes.indexOf(0xff, search);
    if (p < 0) {
      break;
    }
    search = p + 1;
    if (((bytes[p + 1] as number) & 0xfe) !== 0xf8) {
      continue;
    }
    const header = frameHeader(bytes, p);
    if (!header || header.kind !== first.kind || header.number !== (variable ? samples : frames)) {
      continue;
    }
    starts.push(p);
    samples += header.blockSize;
    frames += 1;
    start = p;
    search = p + skip;
  }
  if (samples !== stream.totalSamples) {
    return undefined;
  }
  let crc = 0;
  for (let i = start; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16[(crc >> 8) ^ (bytes[i] as number)] as number);
  }
  if (crc !== 0) {
    return undefined;
  }
  starts.push(bytes.length);
  return starts;
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
async function decodeFlacFast(bytes: Uint8Array): Promise<DecodedAudio | undefined> {
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

async function decodeCompressed(bytes: Uint8Array): Promise<DecodedAudio> {
  const { channelData, sampleRate } = await decode(bytes);
  const bits = flacBitsPerSample(bytes);
  if (bits !== undefined && bits > 1) {
    const full = 2 ** (bits - 1);
    const scale = (full - 1) / full;
    for (const channel of channelData) {
      for (let i = 0; i < channel.length; i++) {
        channel[i] = (channel[i] as number) * scale;
      }
    }
  }
  return { channels: channelData, sampleRate };
}

/** Decode one sample's audio; `where` names the shard and key in error messages. */
export async function decodeAudio(bytes: Uint8Array, where: string): Promise<DecodedAudio> {
  let decoded: DecodedAudio | undefined;
  // Integer PCM divided by a constant, as the FLAC fast path returns, is always finite.
  let finite = false;
  try {
    if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF') {
      decoded = decodeWav(bytes);
    } else {
      decoded = await decodeFlacFast(bytes);
      finite = decoded !== undefined;
      decoded ??= await decodeCompressed(bytes);
    }
  } catch (error) {
    throw new DataError(`${where}: cannot decode audio (${errorMessage(error)})`, {
      hint: 'the file is corrupt or in an unsupported format; supported: WAV, FLAC, MP3, Ogg Vorbis',
      cause: error,
    });
  }
  const { channels, sampleRate } = decoded;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new DataError(`${where}: decoded audio has an invalid sample rate (${sampleRate})`);
  }
  if (channels.length === 0) {
    throw new DataError(`${where}: decoded audio has no channels`);
  }
  if ((channels[0]?.length ?? 0) === 0) {
    // A data problem, caught here so it is never reported as the encoder's failure.
    throw new DataError(`${where}: decoded audio has no samples`, {
      hint: 'the clip is empty; the dataset must not contain zero-length audio',
    });
  }
  // Float WAV can carry NaN or infinity; passed on, they would surface as the encoder's
  // non-finite output and blame the model for broken data.
  let nonFinite = 0;
  let first = -1;
  for (const channel of finite ? [] : channels) {
    for (let index = 0; index < channel.length; index++) {
      if (!Number.isFinite(channel[index])) {
        nonFinite += 1;
        first = first < 0 ? index : Math.min(first, index);
      }
    }
  }
  if (nonFinite > 0) {
    throw new DataError(
      `${where}: decoded audio has ${nonFinite} non-finite sample${nonFinite === 1 ? '' : 's'} (NaN or infinity), the first at sample ${first}`,
      { hint: 'the file is corrupt; samples must be finite numbers' },
    );
  }
  return decoded;
}
