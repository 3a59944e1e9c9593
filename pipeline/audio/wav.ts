/**
 * WAV writing for the generated demo data and test fixtures: integer PCM (16 or 24 bit) and
 * IEEE float (32 bit), interleaved, little-endian, canonical 44-byte header.
 */

import { endianness } from 'node:os';

export type WavEncoding = 'pcm16' | 'pcm24' | 'float32';

/** WAV is little-endian; a typed array writes in the platform's order. */
const LITTLE_ENDIAN = endianness() === 'LE';

function clampUnit(value: number): number {
  return value > 1 ? 1 : value < -1 ? -1 : value;
}

/**
 * Encode channels (all the same length) as a WAV file. Integer PCM scales by 2^(bits-1) and
 * rounds to nearest, clipping at full scale, the inverse of torchaudio's load normalisation.
 */
export function encodeWav(
  channels: readonly Float32Array[],
  sampleRate: number,
  encoding: WavEncoding = 'pcm16',
): Uint8Array {
  const channelCount = channels.length;
  const frames = channels[0]?.length ?? 0;
  if (channelCount === 0) {
    throw new RangeError('encodeWav needs at least one channel');
  }
  if (channels.some((channel) => channel.length !== frames)) {
    throw new RangeError('encodeWav: channels differ in length');
  }
  const bytesPerSample = encoding === 'pcm16' ? 2 : encoding === 'pcm24' ? 3 : 4;
  const dataBytes = frames * channelCount * bytesPerSample;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) {
      view.setUint8(offset + i, text.charCodeAt(i));
    }
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, encoding === 'float32' ? 3 : 1, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channelCount * bytesPerSample, true);
  view.setUint16(32, channelCount * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);

  if (encoding === 'pcm16' && LITTLE_ENDIAN) {
    // The common case, written through a typed array: the same values, several times faster
    // than a DataView call per sample (hours of rehearsal audio go through here).
    const samples = new Int16Array(buffer, 44, frames * channelCount);
    for (let c = 0; c < channelCount; c++) {
      const channel = channels[c] as Float32Array;
      for (let frame = 0, at = c; frame < frames; frame++, at += channelCount) {
        samples[at] = Math.max(
          -32768,
          Math.min(32767, Math.round(clampUnit(channel[frame] as number) * 32768)),
        );
      }
    }
    return new Uint8Array(buffer);
  }
  let offset = 44;
  for (let frame = 0; frame < frames; frame++) {
    for (let c = 0; c < channelCount; c++) {
      const value = (channels[c] as Float32Array)[frame] as number;
      if (encoding === 'float32') {
        view.setFloat32(offset, value, true);
      } else if (encoding === 'pcm16') {
        view.setInt16(
          offset,
          Math.max(-32768, Math.min(32767, Math.round(clampUnit(value) * 32768))),
          true,
        );
      } else {
        const int = Math.max(-8388608, Math.min(8388607, Math.round(clampUnit(value) * 8388608)));
        view.setUint8(offset, int & 0xff);
        view.setUint8(offset + 1, (int >> 8) & 0xff);
        view.setUint8(offset + 2, (int >> 16) & 0xff);
      }
      offset += bytesPerSample;
    }
  }
  return new Uint8Array(buffer);
}
