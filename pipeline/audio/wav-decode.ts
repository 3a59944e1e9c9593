/**
 * RIFF/WAVE parsing (8/16/24/32-bit integer, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE), done here
 * rather than through audio-decode because it is trivial, exact and fast, and WAV is the most
 * common format of the suite. Integer PCM is divided by 2^(bits-1), as torchaudio.load does.
 */
import type { DecodedAudio } from './decoded-audio.ts';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export function ascii(bytes: Uint8Array, offset: number, length: number): string {
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
