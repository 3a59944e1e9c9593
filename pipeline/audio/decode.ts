/**
 * Decoding of the audio entry of a WebDataset sample into float channels, scaled the way
 * torchaudio.load scales them (integer PCM divided by 2^(bits-1), so -32768 is exactly -1):
 *
 * - WAV (8/16/24/32-bit integer, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE) is parsed here: it is
 *   trivial, it is the most common format of the suite, and this is both exact and fast.
 * - FLAC, MP3 and Ogg Vorbis go through audio-decode (WASM builds of libFLAC, mpg123 and
 *   libvorbis; nothing native to download). Its FLAC decoder divides by 2^(bits-1) - 1, so FLAC
 *   output is rescaled by (2^(bits-1) - 1) / 2^(bits-1) with the bit depth read from STREAMINFO.
 */
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
  let decoded: DecodedAudio;
  try {
    decoded =
      bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF'
        ? decodeWav(bytes)
        : await decodeCompressed(bytes);
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
  for (const channel of channels) {
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
