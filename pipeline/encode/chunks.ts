/**
 * How audio longer than an encoder's maximum input is cut: consecutive chunks of the maximum
 * length, the last one shorter, each encoded on its own. The evaluation and the checker share
 * this so the checker measures exactly what the pipeline runs.
 */

/** Longest waveform of one encoder call, in samples. */
export function maxInputSamples(contract: {
  readonly sampleRate: number;
  readonly maxInputSeconds: number;
}): number {
  return Math.max(1, Math.floor(contract.maxInputSeconds * contract.sampleRate));
}

/** [start, end) sample ranges covering `length` samples in chunks of at most `maxSamples`. */
export function chunkRanges(length: number, maxSamples: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < length; start += maxSamples) {
    ranges.push([start, Math.min(length, start + maxSamples)]);
  }
  return ranges;
}
