/**
 * The X-ARES front-end after decoding: resample every channel, average to mono, then cut into
 * crops (`audiowebdataset._seq_crop_audio` with `pad_last=True`).
 */
import { resample } from './resample.ts';

/** Mean over channels; a single channel is returned as is. */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) {
    throw new RangeError('mixToMono needs at least one channel');
  }
  if (channels.length === 1) {
    return first;
  }
  const out = new Float32Array(first.length);
  for (const channel of channels) {
    if (channel.length !== first.length) {
      throw new RangeError('mixToMono: channels differ in length');
    }
    for (let i = 0; i < out.length; i++) {
      out[i] = (out[i] as number) + (channel[i] as number);
    }
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < out.length; i++) {
    out[i] = (out[i] as number) * scale;
  }
  return out;
}

/** X-ARES order: resample all channels, then mix to mono. */
export function toMonoAtRate(
  channels: readonly Float32Array[],
  sampleRate: number,
  targetRate: number,
): Float32Array {
  return mixToMono(channels.map((channel) => resample(channel, sampleRate, targetRate)));
}

/**
 * Non-overlapping crops of `cropSamples` with the remainder dropped; a clip shorter than one crop
 * is zero-padded to exactly one crop. Without a crop length the whole clip is one crop.
 * Crops are views into `samples` where possible.
 */
export function cropOrPad(samples: Float32Array, cropSamples: number | undefined): Float32Array[] {
  if (cropSamples === undefined) {
    return [samples];
  }
  if (!Number.isInteger(cropSamples) || cropSamples <= 0) {
    throw new RangeError(`crop length must be a positive number of samples (got ${cropSamples})`);
  }
  const count = Math.floor(samples.length / cropSamples);
  if (count === 0) {
    const padded = new Float32Array(cropSamples);
    padded.set(samples);
    return [padded];
  }
  return Array.from({ length: count }, (_, i) =>
    samples.subarray(i * cropSamples, (i + 1) * cropSamples),
  );
}

/** Crop length in samples at `sampleRate`, as X-ARES computes it: int(crop_seconds * sr). */
export function cropSamplesAt(
  cropSeconds: number | undefined,
  sampleRate: number,
): number | undefined {
  return cropSeconds === undefined ? undefined : Math.trunc(cropSeconds * sampleRate);
}
