/**
 * Decoding of the audio entry of a WebDataset sample into float channels in [-1, 1].
 * audio-decode handles WAV (integer and float, including WAVE_FORMAT_EXTENSIBLE), FLAC, MP3 and
 * Ogg Vorbis in pure JS/WASM, so nothing native has to be downloaded at install time.
 */
import decode from 'audio-decode';
import { DataError, errorMessage } from '../errors.ts';

export interface DecodedAudio {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

/** Extensions accepted as the audio of a sample, in the order X-ARES looks for them. */
export const AUDIO_EXTENSIONS = ['flac', 'mp3', 'sox', 'wav', 'm4a', 'ogg', 'wma'] as const;

/** `where` names the shard and key in error messages. */
export async function decodeAudio(bytes: Uint8Array, where: string): Promise<DecodedAudio> {
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    decoded = await decode(bytes);
  } catch (error) {
    throw new DataError(`${where}: cannot decode audio (${errorMessage(error)})`, {
      hint: 'the file is corrupt or in an unsupported format; supported: WAV, FLAC, MP3, Ogg Vorbis',
      cause: error,
    });
  }
  const { channelData, sampleRate } = decoded;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new DataError(`${where}: decoded audio has an invalid sample rate (${sampleRate})`);
  }
  if (channelData.length === 0) {
    throw new DataError(`${where}: decoded audio has no channels`);
  }
  return { channels: channelData, sampleRate };
}
