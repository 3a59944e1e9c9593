/**
 * Decoding of the audio entry of a WebDataset sample into float channels, scaled the way
 * torchaudio.load scales them (integer PCM divided by 2^(bits-1), so -32768 is exactly -1):
 *
 * - WAV (8/16/24/32-bit integer, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE) is parsed in
 *   wav-decode.ts: it is trivial, it is the most common format of the suite, and this is both
 *   exact and fast.
 * - FLAC, MP3 and Ogg Vorbis go through audio-decode (WASM builds of libFLAC, mpg123 and
 *   libvorbis; nothing native to download). Its FLAC decoder divides by 2^(bits-1) - 1, so FLAC
 *   output is rescaled by (2^(bits-1) - 1) / 2^(bits-1) with the bit depth read from STREAMINFO.
 * - Native FLAC normally takes a fast path (flac-fast.ts) to the same WASM libFLAC build that
 *   audio-decode wraps (@wasm-audio-decoders/flac): one instance kept across clips, frames found
 *   by their headers (flac-stream.ts) instead of a byte-by-byte CRC scan, samples copied and
 *   rescaled in one pass. Any stream it is not sure about, and any error, goes through
 *   audio-decode as before, so output and errors are unchanged.
 */
import decode from 'audio-decode';
import { DataError, errorMessage } from '../errors.ts';
import { decodeFlacFast } from './flac-fast.ts';
import { ascii, decodeWav } from './wav-decode.ts';
import type { DecodedAudio } from './decoded-audio.ts';

export type { DecodedAudio } from './decoded-audio.ts';

/** Extensions accepted as the audio of a sample, in the order X-ARES looks for them. */
export const AUDIO_EXTENSIONS = ['flac', 'mp3', 'sox', 'wav', 'm4a', 'ogg', 'wma'] as const;

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
